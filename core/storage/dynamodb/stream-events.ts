/**
 * DynamoDB stream records of the log table → the StoreEvents the store's own
 * watch produces. The log table's stream (NEW_IMAGE, `LOG_STREAM` in
 * `tables.ts`) is the watch that drives control loops in AWS: each inserted
 * log row is exactly one change, carrying its revision, type and the bodies
 * after and before it (compressed Binaries, base64 in Lambda's JSON; see
 * `body-codec.ts`). Everything else on that stream is not a change: head
 * rows (compaction mark, revision floor), overflow rows (big previous
 * bodies), and removals (TTL expiry).
 *
 * Pure: no SDK calls. The one read it may need, a previous body kept in an
 * overflow row, goes through an injected reader. Events are doorbells:
 * consumers re-read by key, so duplicated or reordered records (across
 * items, streams promise order only per item) do no harm.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import type { StoreEvent } from '../store.ts';
import { decodeLogRow, type Item, type LogRow, overflowPrev, toEvent } from './codec.ts';
import { ATTR, HEAD_SK, overflowPartition } from './tables.ts';

/** One change decoded from a stream record: the storage resource (`pods`, `deployments.apps`), the event, and the record it came from. */
export interface StreamStoreEvent {
  resource: string;
  event: StoreEvent;
  eventID: string;
}

/**
 * Reads the previous body a log row keeps in its overflow row
 * (`<resource>#prev`, sk = revision). Resolves undefined when that row is gone
 * (compacted or expired); throws when the read itself fails. Resolves the
 * stored attribute as is (compressed; a string in legacy rows).
 */
export type ReadOverflowPrev = (resource: string, revision: number) => Promise<Uint8Array | string | undefined>;

/** What decoding needs besides the records. */
export interface StreamDecodeOptions {
  /**
   * Fetches overflowed previous bodies. Without it, or when the overflow row
   * is gone, such a MODIFIED event carries no `prevObject` (its object, the
   * after-state, is always inline). DELETED rows never overflow: their body
   * alone is under the inline limit.
   */
  readOverflowPrev?: ReadOverflowPrev;
}

/** What one record decodes to: its changes (empty when it is not a change), or why it could not be decoded. */
export type StreamRecordResult = { events: StreamStoreEvent[] } | { error: Error };

/** What a batch decodes to. */
export interface StreamDecodeResult {
  /** The changes, in record order, each (resource, revision) once. */
  events: StreamStoreEvent[];
  /** eventIDs of records that are not changes (head, overflow, removals) or repeat a change already in `events`. */
  skipped: string[];
  /** Records that could not be decoded (malformed, wrong view type, overflow read failed): retry them, never drop them. */
  failed: { eventID: string; sequenceNumber?: string; error: Error }[];
}

/**
 * Decodes one stream record of the log table. Resolves undefined for records
 * that are not changes; throws an Error naming the record when it is
 * malformed (no NewImage: the stream is not NEW_IMAGE; a bad body) or the
 * overflow read fails.
 */
export async function decodeStreamRecord(
  record: DynamoDBRecord,
  opts: StreamDecodeOptions = {},
): Promise<StreamStoreEvent | undefined> {
  const eventID = record.eventID ?? '';
  const fail = (why: string) => new Error(`stream record ${eventID || '(no eventID)'}: ${why}`);
  // Removals are TTL expiry (userIdentity dynamodb.amazonaws.com) or compaction, never a change of an object.
  if (record.eventName === 'REMOVE') return undefined;
  if (record.eventName !== 'INSERT' && record.eventName !== 'MODIFY')
    throw fail(`unknown eventName ${record.eventName}`);
  const keys = record.dynamodb?.Keys;
  const pk = keys?.[ATTR.pk]?.S;
  const sk = keys?.[ATTR.sk]?.N;
  if (pk === undefined || sk === undefined) throw fail('keys are not those of the log table (pk S, sk N)');
  if (Number(sk) === HEAD_SK || pk.endsWith(overflowPartition(''))) return undefined;
  const image = record.dynamodb?.NewImage;
  if (!image) throw fail('no NewImage: the log table stream must be NEW_IMAGE or NEW_AND_OLD_IMAGES');
  let row: LogRow;
  let event: StoreEvent;
  try {
    row = decodeLogRow(unmarshall(withBinaries(image)) as Item);
    if (row.type !== 'ADDED' && row.type !== 'MODIFIED' && row.type !== 'DELETED') throw new Error(`type ${row.type}`);
    if (row.type !== 'DELETED' && row.body === undefined) throw new Error(`${row.type} row without a body`);
    if (row.type === 'DELETED' && (row.prev === undefined || row.prevOverflow)) {
      throw new Error('DELETED row without an inline previous body');
    }
  } catch (e) {
    throw fail(`malformed log row ${pk}/${sk}: ${(e as Error).message}`);
  }
  let prev = row.prev;
  if (row.prevOverflow && opts.readOverflowPrev) {
    try {
      const stored = await opts.readOverflowPrev(pk, row.revision);
      prev = stored === undefined ? undefined : overflowPrev(row, stored);
    } catch (e) {
      throw fail(`reading the overflowed previous body of ${pk}/${sk}: ${(e as Error).message}`);
    }
  }
  try {
    event = toEvent(row, prev);
  } catch (e) {
    throw fail(`malformed body in log row ${pk}/${sk}: ${(e as Error).message}`);
  }
  return { resource: pk, event, eventID };
}

type SdkImage = Parameters<typeof unmarshall>[0];

/**
 * A stream image with its binaries as bytes: Lambda's JSON carries them as
 * base64 strings, the SDK's types (and `unmarshall`) as Uint8Array. Log rows
 * keep their binaries at the top level.
 */
function withBinaries(image: Record<string, AttributeValue>): SdkImage {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(image)) {
    const b = (value as { B?: unknown }).B;
    out[name] = typeof b === 'string' ? { B: Buffer.from(b, 'base64') } : value;
  }
  return out as SdkImage;
}

/**
 * Decodes each record on its own, in order: one result per record. This is
 * the shape of the stream consumer's `ToStoreEvents` seam
 * (`functions/lib/stream-events.ts`), whose failures are reported per
 * record. Never throws.
 */
export function streamDecoder(
  opts: StreamDecodeOptions = {},
): (records: readonly DynamoDBRecord[]) => Promise<StreamRecordResult[]> {
  return (records) =>
    Promise.all(
      records.map(async (record): Promise<StreamRecordResult> => {
        try {
          const decoded = await decodeStreamRecord(record, opts);
          return { events: decoded ? [decoded] : [] };
        } catch (e) {
          return { error: e as Error };
        }
      }),
    );
}

/**
 * Decodes a batch of log-table stream records into StoreEvents, the same
 * ADDED/MODIFIED/DELETED events (with `object` and `prevObject`) the store's
 * watch produces. A change seen twice in the batch (a redelivered record)
 * appears once. Never throws: undecodable records are listed in `failed`.
 */
export async function toStoreEvents(
  records: readonly DynamoDBRecord[],
  opts: StreamDecodeOptions = {},
): Promise<StreamDecodeResult> {
  const out: StreamDecodeResult = { events: [], skipped: [], failed: [] };
  const results = await streamDecoder(opts)(records);
  const seen = new Set<string>();
  results.forEach((result, i) => {
    const eventID = records[i].eventID ?? '';
    if ('error' in result) {
      out.failed.push({ eventID, sequenceNumber: records[i].dynamodb?.SequenceNumber, error: result.error });
      return;
    }
    const [decoded] = result.events;
    const change = decoded && `${decoded.resource}\n${decoded.event.revision}`;
    if (!decoded || seen.has(change)) {
      out.skipped.push(eventID);
      return;
    }
    seen.add(change);
    out.events.push(decoded);
  });
  return out;
}
