/**
 * The stream consumer function: records of the log table's DynamoDB stream →
 * store changes (`toStoreEvents`: the store's decoder in Lambda), decoded
 * once per batch, then
 * - the work keys of every controller watching the changed resource → the
 *   SQS work queue, each key once per batch;
 * - with `wakeups`, the node dispatcher: doorbells on the wake-up queue of
 *   every node a change concerns (`lib/node-dispatch.ts`), so node agents
 *   long-poll SQS instead of holding an API watch; Node registrations create
 *   and delete those queues.
 * One function for both, because a DynamoDB stream serves two Lambda readers
 * without throttling and the scheduler is the other. Records that could not be
 * decoded, queued or dispatched are reported by sequence number in
 * `batchItemFailures`.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type ControllerFunctionDeps, controllerFunctionDeps } from './lib/controller-function.ts';
import { lazyHandler } from './lib/lazy-handler.ts';
import { dispatchStreamBatch, type NodeDispatchDeps } from './lib/node-dispatch.ts';
import { NodeQueues } from './lib/node-queues.ts';
import { coreLogger, instrument, MetricUnit } from './lib/observability.ts';
import { createSqsClient } from './lib/sqs-client.ts';
import { fanOutStreamBatch, logStreamDecoder, type ToStoreEvents } from './lib/stream-events.ts';

/** What the stream consumer is built from. */
export interface StreamConsumerDeps extends ControllerFunctionDeps {
  toStoreEvents: ToStoreEvents;
  /** The node dispatcher's queues and node list; without it no node is woken. */
  wakeups?: Pick<NodeDispatchDeps, 'queues' | 'listNodes'>;
}

/** Creates the stream consumer's middy handler over `deps`. */
export function createHandler(deps: StreamConsumerDeps) {
  const logger = coreLogger(deps.obs.logger);
  return instrument<DynamoDBStreamEvent, DynamoDBBatchResponse>(deps.obs, async (event) => {
    const queue = deps.workQueue();
    // Both consumers of the batch share one decoding (overflowed previous bodies are read once).
    const decoded = deps.toStoreEvents(event.Records);
    const toStoreEvents: ToStoreEvents = () => decoded;
    const out = await fanOutStreamBatch(event.Records, {
      toStoreEvents,
      controllers: deps.controllers,
      enqueue: (key) => queue.enqueue(key),
      logger,
    });
    const failures = [out.batchItemFailures];
    if (deps.wakeups) {
      const woke = await dispatchStreamBatch(event.Records, { ...deps.wakeups, toStoreEvents, logger });
      failures.push(woke.batchItemFailures);
      deps.obs.metrics.addMetric('NodeWakeupsSent', MetricUnit.Count, woke.sent);
      deps.obs.metrics.addMetric('NodesWithoutQueue', MetricUnit.Count, woke.missingNodes.length);
    }
    const batchItemFailures = inRecordOrder(event.Records, failures.flat());
    deps.obs.metrics.addMetric('StreamRecords', MetricUnit.Count, event.Records.length);
    deps.obs.metrics.addMetric('StreamRecordFailures', MetricUnit.Count, batchItemFailures.length);
    deps.obs.metrics.addMetric('WorkKeysQueued', MetricUnit.Count, out.keys);
    return { batchItemFailures };
  });
}

/** The failures, each once, in the order of their records. */
function inRecordOrder(records: readonly DynamoDBRecord[], failures: { itemIdentifier: string }[]) {
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  return records
    .map((r) => r.dynamodb?.SequenceNumber ?? '')
    .filter((seq) => failed.delete(seq))
    .map((itemIdentifier) => ({ itemIdentifier }));
}

/** The Lambda entry point, built from the environment on the first invocation. */
export const handler = lazyHandler(() => {
  const deps = controllerFunctionDeps('skube-stream-consumer');
  const sqs = createSqsClient({ region: deps.config.region, endpoint: deps.config.sqsEndpoint });
  const logger = coreLogger(deps.obs.logger);
  return createHandler({
    ...deps,
    toStoreEvents: logStreamDecoder(deps.cluster.dynamodb, deps.cluster.tables),
    wakeups: {
      queues: new NodeQueues({ client: sqs, prefix: deps.config.nodeQueuePrefix, logger }),
      listNodes: async () => (await deps.cluster.store.list('nodes')).items.map((n) => n.metadata.name ?? ''),
    },
  });
});
