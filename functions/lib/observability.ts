/**
 * Logging and metrics of the Lambda functions: a Powertools Logger (JSON
 * lines with the invocation's request id), Powertools Metrics (CloudWatch
 * EMF, flushed at the end of each invocation), the adapter that lets core
 * code log through Powertools, and the one middy stack every function uses.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger as CoreLogger } from '../../core/apiserver/types.ts';

/** A function's logger and metrics. */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Creates the logger and metrics of one function. The log level comes from
 * Powertools' own variables (`POWERTOOLS_LOG_LEVEL`, `AWS_LAMBDA_LOG_LEVEL`);
 * pass `logLevel: 'SILENT'` to silence a test.
 */
export function createObservability(
  serviceName: string,
  options: { metricsNamespace: string; logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' },
): Observability {
  return {
    logger: new Logger({ serviceName, ...(options.logLevel ? { logLevel: options.logLevel } : {}) }),
    metrics: new Metrics({ serviceName, namespace: options.metricsNamespace }),
  };
}

/**
 * Adapts a Powertools Logger to the pino-style interface core code writes to
 * (`info(fields, message)`); the fields become top-level keys of the line.
 */
export function coreLogger(logger: Logger): CoreLogger {
  return {
    debug: (obj, msg) => logger.debug(msg ?? '', obj as Record<string, unknown>),
    info: (obj, msg) => logger.info(msg ?? '', obj as Record<string, unknown>),
    warn: (obj, msg) => logger.warn(msg ?? '', obj as Record<string, unknown>),
    error: (obj, msg) => logger.error(msg ?? '', obj as Record<string, unknown>),
  };
}

/**
 * Wraps a handler in the middy stack every function shares: the Lambda
 * context (request id, cold start) on every log line, keys appended during an
 * invocation reset after it, and metrics flushed as EMF at its end (a
 * `ColdStart` metric on the first).
 */
export function instrument<TEvent, TResult>(
  obs: Observability,
  handler: (event: TEvent, context: Context) => Promise<TResult>,
): MiddyfiedHandler<TEvent, TResult> {
  return middy<TEvent, TResult>()
    .use(injectLambdaContext(obs.logger, { resetKeys: true }))
    .use(logMetrics(obs.metrics, { captureColdStartMetric: true }))
    .handler(handler);
}

export { MetricUnit };
