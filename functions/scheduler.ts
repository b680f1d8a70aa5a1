/**
 * The scheduler function: batches of the log table's DynamoDB stream (pods and
 * nodes, by the event source mapping's filter) ring the container's
 * {@link StreamScheduler}, which catches up with the store and schedules every
 * pending pod that is ours. Records that could not be decoded, and the records
 * of pods whose binding still failed after the retries (a lost race), are
 * reported by sequence number in `batchItemFailures`, so Lambda delivers them
 * again; the records are only a doorbell, so a redelivery is harmless.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { Logger } from '../core/apiserver/types.ts';
import { tableNames } from '../core/storage/dynamodb/tables.ts';
import { StreamScheduler } from '../core/scheduler/stream-scheduler.ts';
import { createDynamoClient, createRegistry, createStore } from './lib/cluster.ts';
import { loadSchedulerConfig } from './lib/config.ts';
import { lazyHandler } from './lib/lazy-handler.ts';
import { coreLogger, createObservability, instrument, MetricUnit, type Observability } from './lib/observability.ts';
import { type DecodedRecord, logStreamDecoder, type ToStoreEvents } from './lib/stream-events.ts';

/** What the scheduler function is built from. */
export interface SchedulerFunctionDeps {
  scheduler: Pick<StreamScheduler, 'runBatch'>;
  toStoreEvents: ToStoreEvents;
  obs: Observability;
}

/**
 * Indices of the records to report: those not decoded, and for each pod still
 * retrying its records in the batch (the batch's last record when it has none,
 * so that the retry still comes).
 */
function failedRecords(
  records: readonly DynamoDBRecord[],
  decoded: readonly DecodedRecord[],
  retrying: readonly string[],
  logger: Logger,
): number[] {
  const failed = new Set<number>();
  const byPod = new Map<string, number[]>();
  decoded.forEach((d, i) => {
    if ('error' in d) {
      logger.warn({ eventID: records[i].eventID, err: (d.error as Error)?.message }, 'stream record not decoded');
      failed.add(i);
      return;
    }
    for (const { resource, event } of d.events) {
      if (resource !== 'pods') continue;
      const key = `${event.object.metadata.namespace ?? 'default'}/${event.object.metadata.name ?? ''}`;
      byPod.set(key, [...(byPod.get(key) ?? []), i]);
    }
  });
  for (const pod of retrying) {
    for (const i of byPod.get(pod) ?? (records.length > 0 ? [records.length - 1] : [])) failed.add(i);
  }
  return [...failed].sort((a, b) => a - b);
}

/** Creates the scheduler function's middy handler over `deps`. */
export function createHandler(deps: SchedulerFunctionDeps) {
  const logger = coreLogger(deps.obs.logger);
  return instrument<DynamoDBStreamEvent, DynamoDBBatchResponse>(deps.obs, async (event) => {
    const decoded = await deps.toStoreEvents(event.Records);
    if (decoded.length !== event.Records.length) {
      throw new Error(`stream decoder answered ${decoded.length} results for ${event.Records.length} records`);
    }
    const outcome = await deps.scheduler.runBatch();
    const failed = failedRecords(event.Records, decoded, outcome.retrying, logger);
    const m = deps.obs.metrics;
    m.addMetric('StreamRecords', MetricUnit.Count, event.Records.length);
    m.addMetric('PodsBound', MetricUnit.Count, outcome.bound);
    m.addMetric('PodsUnschedulable', MetricUnit.Count, outcome.unschedulable);
    m.addMetric('BindingFailures', MetricUnit.Count, outcome.bindFailures);
    logger.info({ ...outcome, records: event.Records.length, failedRecords: failed.length }, 'scheduled batch');
    return {
      batchItemFailures: failed.map((i) => {
        const itemIdentifier = event.Records[i].dynamodb?.SequenceNumber;
        if (!itemIdentifier) throw new Error(`stream record ${event.Records[i].eventID} has no sequence number`);
        return { itemIdentifier };
      }),
    };
  });
}

/** The Lambda entry point, built from the environment on the first invocation. */
export const handler = lazyHandler(() => {
  const config = loadSchedulerConfig();
  const obs = createObservability('skube-scheduler', config);
  const logger = coreLogger(obs.logger);
  const dynamodb = createDynamoClient(config);
  const store = createStore(config, logger, dynamodb);
  const registry = createRegistry(config, store);
  const scheduler = new StreamScheduler({ store, registry, logger, config: { schedulerName: config.schedulerName } });
  return createHandler({ scheduler, toStoreEvents: logStreamDecoder(dynamodb, tableNames(config.tablePrefix)), obs });
});
