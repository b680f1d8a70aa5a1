/**
 * From DynamoDB stream records to work keys. The stream is only a doorbell:
 * each record is decoded into the store changes it stands for, each change is
 * mapped to the work keys of every controller watching its resource, and the
 * keys are queued once per batch. Controllers then re-read state by key, so
 * duplicated, reordered or replayed records do no harm.
 *
 * THE SEAM: decoding records (`ToStoreEvents`) belongs to the DynamoDB store,
 * which alone knows its table layout (which table's stream, which attributes,
 * where overflowed previous bodies live): `logStreamDecoder` plugs in its
 * decoder (`core/storage/dynamodb/stream-events.ts`) for the log table's
 * stream, and tests plug in fakes.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { Logger } from '../../core/apiserver/types.ts';
import { createOverflowPrevReader } from '../../core/storage/dynamodb/overflow-reader.ts';
import { streamDecoder } from '../../core/storage/dynamodb/stream-events.ts';
import type { DynamoTableNames } from '../../core/storage/dynamodb/tables.ts';
import type { StoreEvent } from '../../core/storage/store.ts';
import { type Controllers, workKeysFor } from './controllers.ts';
import { runLimited } from './sqs-queues.ts';

/** One store change with the storage resource it belongs to (`pods`, `deployments.apps`). */
export interface ResourceEvent {
  resource: string;
  event: StoreEvent;
}

/** What one record decodes to: its changes (none for rows that are not changes), or why it could not be decoded. */
export type DecodedRecord = { events: ResourceEvent[] } | { error: unknown };

/**
 * Decodes a batch of stream records into store changes. Returns one entry per
 * record, in the same order. May read the table (for example a previous body
 * kept in an overflow row). Throwing fails the whole batch.
 */
export type ToStoreEvents = (records: readonly DynamoDBRecord[]) => Promise<DecodedRecord[]>;

/**
 * The decoder of the store's log-table stream: each inserted log row is one
 * change; previous bodies too big for their row are read from `tables`
 * through `client`. Records that are not changes decode to no events.
 */
export function logStreamDecoder(client: DynamoDBClient, tables: DynamoTableNames): ToStoreEvents {
  return streamDecoder({ readOverflowPrev: createOverflowPrevReader(client, tables) });
}

/** What the fan-out needs. */
export interface StreamFanOutDeps {
  toStoreEvents: ToStoreEvents;
  controllers: Controllers;
  /** Queues one work key now; may resolve false when a pending message already covers it. */
  enqueue(workKey: string): Promise<unknown>;
  logger: Logger;
  /** Keys queued at once; default 10. */
  concurrency?: number;
}

/** What a fan-out did, with Lambda's partial batch response. */
export interface StreamFanOutResult extends DynamoDBBatchResponse {
  events: number;
  keys: number;
}

/**
 * Decodes `records`, maps their changes to work keys and queues each key once.
 * A record fails when it could not be decoded or when queueing any of its keys
 * failed; failures are reported by the record's `dynamodb.SequenceNumber`,
 * which is what Lambda checkpoints streams by. Throws (failing the batch) when
 * the decoder throws or answers for a different number of records, or when a
 * failed record has no sequence number to report.
 */
export async function fanOutStreamBatch(
  records: readonly DynamoDBRecord[],
  deps: StreamFanOutDeps,
): Promise<StreamFanOutResult> {
  const decoded = await deps.toStoreEvents(records);
  if (decoded.length !== records.length) {
    throw new Error(`stream decoder answered ${decoded.length} results for ${records.length} records`);
  }
  const failed = new Set<number>();
  const recordsByKey = new Map<string, number[]>();
  let events = 0;
  decoded.forEach((d, i) => {
    if ('error' in d) {
      deps.logger.warn({ eventID: records[i].eventID, err: (d.error as Error)?.message }, 'stream record not decoded');
      failed.add(i);
      return;
    }
    for (const { resource, event } of d.events) {
      events++;
      for (const key of workKeysFor(deps.controllers, resource, event)) {
        recordsByKey.set(key, [...(recordsByKey.get(key) ?? []), i]);
      }
    }
  });
  await runLimited([...recordsByKey], deps.concurrency ?? 10, async ([key, owners]) => {
    try {
      await deps.enqueue(key);
    } catch (e) {
      deps.logger.warn({ key, err: (e as Error).message }, 'work key not queued');
      for (const i of owners) failed.add(i);
    }
  });
  const batchItemFailures = [...failed]
    .sort((a, b) => a - b)
    .map((i) => {
      const itemIdentifier = records[i].dynamodb?.SequenceNumber;
      if (!itemIdentifier) throw new Error(`stream record ${records[i].eventID} failed and has no sequence number`);
      return { itemIdentifier };
    });
  return { batchItemFailures, events, keys: recordsByKey.size };
}
