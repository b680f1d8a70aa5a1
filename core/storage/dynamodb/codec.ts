/**
 * How objects and log rows are laid out as DynamoDB items, and the checks
 * every write makes before it reaches DynamoDB (size, preconditions).
 * Bodies are JSON text compressed by `body-codec.ts` (Binary), so what comes
 * back is byte-for-byte what was written (no number or empty-value surprises
 * of native maps) at a third of the size; legacy string bodies still decode.
 */
import type { KubeObject } from '../../api/object.ts';
import { StorageError } from '../errors.ts';
import type { Preconditions, StoreEvent, StoreEventType, StoreKey } from '../store.ts';
import { compressBody, decompressBody, isStoredBody } from './body-codec.ts';
import { ATTR, objectSortKey, overflowPartition, TTL_GRACE_SECONDS } from './tables.ts';

/** A DynamoDB item as the document client hands it over. */
export type Item = Record<string, unknown>;

/**
 * The largest object the store accepts, as JSON bytes: 350 KiB, leaving room
 * under DynamoDB's 400 KB item limit for keys and attributes. The registry
 * rejects larger objects with 422 first; this is the backstop.
 */
export const MAX_OBJECT_BYTES = 350 * 1024;

/** A log row holds its previous body inline up to this many compressed body bytes in total; beyond, `prev` moves to an overflow row. */
export const LOG_INLINE_BYTES = 380_000;

/** The printable form of a key, used in messages and StorageError.key. */
export const keyString = (k: StoreKey): string => `/${k.resource}/${k.namespace ? `${k.namespace}/` : ''}${k.name}`;

/** The object with `metadata.resourceVersion` set to `revision` (a new object; the input is not changed). */
export function stamp(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/**
 * Serializes an object for storage. Throws StorageError('InvalidObject') when
 * it cannot be encoded or exceeds MAX_OBJECT_BYTES.
 */
export function encodeBody(obj: KubeObject, key: StoreKey): string {
  let body: string;
  try {
    body = JSON.stringify(obj);
  } catch (e) {
    throw new StorageError('InvalidObject', `cannot encode object: ${(e as Error).message}`, keyString(key));
  }
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_OBJECT_BYTES) {
    throw new StorageError(
      'InvalidObject',
      `object ${keyString(key)} is ${bytes} bytes as JSON; the DynamoDB store accepts at most ` +
        `${MAX_OBJECT_BYTES} bytes (350 KiB) per object, because a DynamoDB item holds at most 400 KB`,
      keyString(key),
    );
  }
  return body;
}

/** Throws StorageError('Conflict') unless `current` meets `pre` (empty fields are unset). */
export function checkPreconditions(key: StoreKey, current: KubeObject, pre?: Preconditions): void {
  const rv = current.metadata.resourceVersion ?? '';
  if (pre?.resourceVersion && pre.resourceVersion !== rv) {
    throw new StorageError(
      'Conflict',
      `Precondition failed: resourceVersion in precondition: ${pre.resourceVersion}, resourceVersion in object meta: ${rv}`,
      keyString(key),
    );
  }
  if (pre?.uid && pre.uid !== current.metadata.uid) {
    throw new StorageError(
      'Conflict',
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid ?? ''}`,
      keyString(key),
    );
  }
}

/** The objects-table item of a stored object whose body `compressBody` compressed. */
export function objectItem(key: StoreKey, revision: number, body: Uint8Array): Item {
  return {
    [ATTR.pk]: key.resource,
    [ATTR.sk]: objectSortKey(key.namespace, key.name),
    [ATTR.namespace]: key.namespace,
    [ATTR.name]: key.name,
    [ATTR.revision]: revision,
    [ATTR.body]: body,
  };
}

/** The JSON body of an objects-table item (or of any item's `attr`). Throws when it has none or it is corrupt. */
export function itemBody(item: Item, attr: string = ATTR.body, base?: string): string {
  const stored = item[attr];
  if (!isStoredBody(stored)) throw new Error(`item ${String(item[ATTR.sk])} has no ${attr}`);
  return decompressBody(stored, base);
}

/** One row of the revision log, decoded. */
export interface LogRow {
  revision: number;
  type: StoreEventType;
  namespace: string;
  name: string;
  /** The state after the change (JSON); absent for DELETED (it is `prev` stamped with `revision`). */
  body?: string;
  /** The state before the change (JSON); absent for ADDED and when `prevOverflow`. */
  prev?: string;
  prevOverflow: boolean;
  /** Epoch seconds after which readers treat the row as gone, deleted by TTL or not. */
  expiresAt: number;
}

/** What a write appends for one change: the state after it and before it, as JSON. */
export type LogEntry = Omit<LogRow, 'prevOverflow'>;

/**
 * What one write appends to the log: the row, plus an overflow item when the
 * compressed bodies do not fit one item. `compressedBody` is `entry.body`
 * already compressed (the object item carries the same bytes).
 */
export function logItems(
  resource: string,
  entry: LogEntry,
  compressedBody?: Uint8Array,
): { row: Item; overflow?: Item } {
  const ttl = entry.expiresAt + TTL_GRACE_SECONDS;
  const item: Item = {
    [ATTR.pk]: resource,
    [ATTR.sk]: entry.revision,
    [ATTR.type]: entry.type,
    [ATTR.namespace]: entry.namespace,
    [ATTR.name]: entry.name,
    [ATTR.expiresAt]: entry.expiresAt,
    [ATTR.ttl]: ttl,
  };
  const body = entry.body === undefined ? undefined : (compressedBody ?? compressBody(entry.body));
  if (body) item[ATTR.body] = body;
  if (entry.prev === undefined) return { row: item };
  // The previous state is compressed against the new one: a change costs about the bytes it changed.
  const prev = compressBody(entry.prev, entry.body);
  if ((body?.length ?? 0) + prev.length <= LOG_INLINE_BYTES) {
    item[ATTR.prev] = prev;
    return { row: item };
  }
  item[ATTR.prevOverflow] = true;
  const overflow: Item = {
    [ATTR.pk]: overflowPartition(resource),
    [ATTR.sk]: entry.revision,
    [ATTR.prev]: prev,
    [ATTR.expiresAt]: entry.expiresAt,
    [ATTR.ttl]: ttl,
  };
  return { row: item, overflow };
}

/** Decodes a log-table item (not the head), decompressing its bodies. Throws when a body is corrupt. */
export function decodeLogRow(item: Item): LogRow {
  const row: LogRow = {
    revision: Number(item[ATTR.sk]),
    type: item[ATTR.type] as StoreEventType,
    namespace: String(item[ATTR.namespace] ?? ''),
    name: String(item[ATTR.name] ?? ''),
    prevOverflow: item[ATTR.prevOverflow] === true,
    expiresAt: Number(item[ATTR.expiresAt] ?? Number.POSITIVE_INFINITY),
  };
  if (isStoredBody(item[ATTR.body])) row.body = itemBody(item);
  if (isStoredBody(item[ATTR.prev])) row.prev = itemBody(item, ATTR.prev, row.body);
  return row;
}

/** The previous state kept in an overflow item for `row` (stored as written by `logItems`). */
export function overflowPrev(row: LogRow, stored: Uint8Array | string): string {
  return decompressBody(stored, row.body);
}

/** True when the row is past its `expiresAt` at `nowMillis` (it may still be in the table until TTL deletes it). */
export function isExpired(row: { expiresAt: number }, nowMillis: number): boolean {
  return row.expiresAt * 1000 <= nowMillis;
}

/** The watch event of a log row whose previous body (if any) is resolved to `prev`. */
export function toEvent(row: LogRow, prev: string | undefined): StoreEvent {
  const prevObject = prev === undefined ? undefined : (JSON.parse(prev) as KubeObject);
  // Parsed separately so the event's two objects never share nested values.
  const object =
    row.type === 'DELETED'
      ? stamp(JSON.parse(prev ?? '{"metadata":{}}') as KubeObject, row.revision)
      : (JSON.parse(row.body!) as KubeObject);
  const event: StoreEvent = { type: row.type, object, revision: row.revision };
  if (prevObject) event.prevObject = prevObject;
  return event;
}
