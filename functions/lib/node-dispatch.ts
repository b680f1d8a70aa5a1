/**
 * From log-table stream records to node wake-ups: each decoded change is
 * planned by the dispatcher (`core/controllers/dispatcher/plan.ts`) and its
 * doorbells are dropped on the node queues (`node-queues.ts`), one
 * SendMessageBatch per node and batch. Node registrations manage the queues:
 * a Node that appears gets its queue (so the agent's first long-poll finds
 * it), a deleted Node loses it. Records are doorbells here too: a change
 * delivered twice rings twice, which agents (re-reading by name) absorb.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { Logger } from '../../core/apiserver/types.ts';
import { BROADCAST_RESOURCES, planWakeups, type WakeupPlan } from '../../core/controllers/dispatcher/plan.ts';
import type { NodeQueues } from './node-queues.ts';
import type { ResourceEvent, ToStoreEvents } from './stream-events.ts';

/** What a dispatch needs. */
export interface NodeDispatchDeps {
  toStoreEvents: ToStoreEvents;
  queues: NodeQueues;
  /** The names of every registered node (read only when a batch holds a Service or Endpoints change). */
  listNodes(): Promise<string[]>;
  logger: Logger;
}

/** What one batch did, with Lambda's partial batch response. */
export interface NodeDispatchResult {
  batchItemFailures: { itemIdentifier: string }[];
  /** Doorbells SQS accepted. */
  sent: number;
  /** Nodes a change concerned that have no queue (their doorbells were dropped). */
  missingNodes: string[];
  /** Queues created and deleted for Node registrations and deletions. */
  queuesCreated: string[];
  queuesDeleted: string[];
}

/**
 * Dispatches one batch. A record fails (by its sequence number) when it could
 * not be decoded or its node queue could not be created or deleted; when
 * sending the doorbells fails, every record that planned one fails (the batch
 * is retried; ringing twice is harmless). Throws when the decoder throws or a
 * failed record has no sequence number.
 */
export async function dispatchStreamBatch(
  records: readonly DynamoDBRecord[],
  deps: NodeDispatchDeps,
): Promise<NodeDispatchResult> {
  const decoded = await deps.toStoreEvents(records);
  if (decoded.length !== records.length) {
    throw new Error(`stream decoder answered ${decoded.length} results for ${records.length} records`);
  }
  const out: NodeDispatchResult = {
    batchItemFailures: [],
    sent: 0,
    missingNodes: [],
    queuesCreated: [],
    queuesDeleted: [],
  };
  const failed = new Set<number>();
  const changes: { index: number; change: ResourceEvent }[] = [];
  decoded.forEach((d, index) => {
    if ('error' in d) {
      deps.logger.warn(
        { eventID: records[index].eventID, err: (d.error as Error)?.message },
        'stream record not decoded',
      );
      failed.add(index);
      return;
    }
    for (const change of d.events) changes.push({ index, change });
  });

  for (const { index, change } of changes) {
    if (change.resource !== 'nodes' || change.event.type === 'MODIFIED') continue;
    const node = change.event.object.metadata.name ?? '';
    try {
      if (change.event.type === 'ADDED') {
        await deps.queues.ensureQueue(node);
        out.queuesCreated.push(node);
      } else {
        await deps.queues.deleteQueue(node);
        out.queuesDeleted.push(node);
      }
    } catch (e) {
      deps.logger.warn({ node, err: (e as Error).message }, 'node queue not created or deleted');
      failed.add(index);
    }
  }

  const needsNodes = changes.some(({ change }) => BROADCAST_RESOURCES.includes(change.resource));
  const known = needsNodes ? await deps.listNodes() : [];
  const plans: WakeupPlan[] = [];
  const ringing = new Set<number>();
  for (const { index, change } of changes) {
    const plan = planWakeups(change.resource, change.event, known);
    if (plan.nodes.length === 0) continue;
    plans.push(plan);
    ringing.add(index);
  }
  try {
    const woke = await deps.queues.wake(plans);
    out.sent = woke.sent;
    out.missingNodes = woke.missingNodes;
  } catch (e) {
    deps.logger.warn({ err: (e as Error).message }, 'node wake-ups not sent');
    for (const i of ringing) failed.add(i);
  }

  out.batchItemFailures = [...failed]
    .sort((a, b) => a - b)
    .map((i) => {
      const itemIdentifier = records[i].dynamodb?.SequenceNumber;
      if (!itemIdentifier) throw new Error(`stream record ${records[i].eventID} failed and has no sequence number`);
      return { itemIdentifier };
    });
  return out;
}
