/**
 * The stream consumer function: records of the log table's DynamoDB stream →
 * store changes (`toStoreEvents`: the store's decoder in Lambda) → the work keys
 * of every controller watching the changed resource → the SQS work queue, each
 * key once per batch. Records that could not be decoded or queued are
 * reported by sequence number in `batchItemFailures`.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type ControllerFunctionDeps, controllerFunctionDeps } from './lib/controller-function.ts';
import { lazyHandler } from './lib/lazy-handler.ts';
import { coreLogger, instrument, MetricUnit } from './lib/observability.ts';
import { fanOutStreamBatch, logStreamDecoder, type ToStoreEvents } from './lib/stream-events.ts';

/** What the stream consumer is built from. */
export interface StreamConsumerDeps extends ControllerFunctionDeps {
  toStoreEvents: ToStoreEvents;
}

/** Creates the stream consumer's middy handler over `deps`. */
export function createHandler(deps: StreamConsumerDeps) {
  const logger = coreLogger(deps.obs.logger);
  return instrument<DynamoDBStreamEvent, DynamoDBBatchResponse>(deps.obs, async (event) => {
    const queue = deps.workQueue();
    const out = await fanOutStreamBatch(event.Records, {
      toStoreEvents: deps.toStoreEvents,
      controllers: deps.controllers,
      enqueue: (key) => queue.enqueue(key),
      logger,
    });
    deps.obs.metrics.addMetric('StreamRecords', MetricUnit.Count, event.Records.length);
    deps.obs.metrics.addMetric('StreamRecordFailures', MetricUnit.Count, out.batchItemFailures.length);
    deps.obs.metrics.addMetric('WorkKeysQueued', MetricUnit.Count, out.keys);
    return { batchItemFailures: out.batchItemFailures };
  });
}

/** The Lambda entry point, built from the environment on the first invocation. */
export const handler = lazyHandler(() => {
  const deps = controllerFunctionDeps('skube-stream-consumer');
  return createHandler({ ...deps, toStoreEvents: logStreamDecoder(deps.cluster.dynamodb, deps.cluster.tables) });
});
