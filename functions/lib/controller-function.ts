/**
 * The dependencies every controller function (queue consumer, resync, stream
 * consumer) is built from: its configuration, logger and metrics, the
 * registered controllers over the DynamoDB store, and the SQS work queue.
 */

import { type ControllerAssembly, createControllerAssembly } from './cluster.ts';
import { type ControllerConfig, type Environment, loadControllerConfig } from './config.ts';
import { type Controllers, createControllers } from './controllers.ts';
import { coreLogger, createObservability, type Observability } from './observability.ts';
import type { SqsWorkQueue } from './sqs-work-queue.ts';

/** What a controller function's `createHandler` takes. */
export interface ControllerFunctionDeps {
  controllers: Controllers;
  /** A fresh work queue for one invocation (see `ControllerAssembly.workQueue`). */
  workQueue(): SqsWorkQueue;
  obs: Observability;
}

/** Builds a controller function's dependencies from `env`. Throws ConfigError on a bad environment. */
export function controllerFunctionDeps(
  serviceName: string,
  env?: Environment,
): ControllerFunctionDeps & { config: ControllerConfig; cluster: ControllerAssembly } {
  const config = loadControllerConfig(env);
  const obs = createObservability(serviceName, config);
  const logger = coreLogger(obs.logger);
  const cluster = createControllerAssembly(config, logger);
  const controllers = createControllers({
    store: cluster.store,
    registry: cluster.registry,
    logger,
    now: () => new Date(),
  });
  return { config, cluster, obs, controllers, workQueue: cluster.workQueue };
}
