/**
 * The node dispatcher function: records of the log table's DynamoDB stream
 * (pods, services, endpoints and nodes only, by the event source's filter) →
 * store changes → doorbells on the wake-up queue of every node a change
 * concerns, so node agents long-poll SQS instead of holding an API watch.
 * Node registrations create the node's queue and deletions remove it.
 * Records that could not be decoded or dispatched are reported by sequence
 * number in `batchItemFailures`.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createDynamoClient, createStore } from './lib/cluster.ts';
import { loadDispatcherConfig } from './lib/config.ts';
import { lazyHandler } from './lib/lazy-handler.ts';
import { dispatchStreamBatch, type NodeDispatchDeps } from './lib/node-dispatch.ts';
import { NodeQueues } from './lib/node-queues.ts';
import { coreLogger, createObservability, instrument, MetricUnit, type Observability } from './lib/observability.ts';
import { createSqsClient } from './lib/sqs-client.ts';
import { logStreamDecoder } from './lib/stream-events.ts';
import { tableNames } from '../core/storage/dynamodb/tables.ts';

/** What the dispatcher is built from. */
export interface DispatcherDeps extends Omit<NodeDispatchDeps, 'logger'> {
  obs: Observability;
}

/** Creates the dispatcher's middy handler over `deps`. */
export function createHandler(deps: DispatcherDeps) {
  const logger = coreLogger(deps.obs.logger);
  return instrument<DynamoDBStreamEvent, DynamoDBBatchResponse>(deps.obs, async (event) => {
    const out = await dispatchStreamBatch(event.Records, { ...deps, logger });
    deps.obs.metrics.addMetric('StreamRecords', MetricUnit.Count, event.Records.length);
    deps.obs.metrics.addMetric('StreamRecordFailures', MetricUnit.Count, out.batchItemFailures.length);
    deps.obs.metrics.addMetric('NodeWakeupsSent', MetricUnit.Count, out.sent);
    deps.obs.metrics.addMetric('NodesWithoutQueue', MetricUnit.Count, out.missingNodes.length);
    return { batchItemFailures: out.batchItemFailures };
  });
}

/** The Lambda entry point, built from the environment on the first invocation. */
export const handler = lazyHandler(() => {
  const config = loadDispatcherConfig();
  const obs = createObservability('skube-dispatcher', config);
  const dynamodb = createDynamoClient(config);
  const store = createStore(config, coreLogger(obs.logger), dynamodb);
  const sqs = createSqsClient({ region: config.region, endpoint: config.sqsEndpoint });
  return createHandler({
    obs,
    toStoreEvents: logStreamDecoder(dynamodb, tableNames(config.tablePrefix)),
    queues: new NodeQueues({ client: sqs, prefix: config.nodeQueuePrefix, logger: coreLogger(obs.logger) }),
    listNodes: async () => (await store.list('nodes')).items.map((n) => n.metadata.name ?? ''),
  });
});
