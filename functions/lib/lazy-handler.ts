/**
 * Entry points built on a container's first invocation. Each function file
 * exports `createHandler(deps)` for tests and a `handler` for Lambda; building
 * that `handler` reads the configuration, which a test importing the file has
 * not set, so the build waits for the first event (still the cold start) and
 * is kept for the container's life.
 */
import type { Context } from 'aws-lambda';

/** A Lambda handler as the runtime calls it. */
export type LambdaHandler<TEvent, TResult> = (event: TEvent, context: Context) => Promise<TResult>;

/**
 * A handler that builds the real one with `build` on its first call and
 * delegates to it from then on. A build that throws (a ConfigError) fails that
 * invocation with the error's message and is tried again on the next one.
 */
export function lazyHandler<TEvent, TResult>(
  build: () => LambdaHandler<TEvent, TResult>,
): LambdaHandler<TEvent, TResult> {
  let built: LambdaHandler<TEvent, TResult> | undefined;
  return async (event, context) => {
    built ??= build();
    return built(event, context);
  };
}
