/**
 * Lists at a revision. DynamoDB has no multi-item snapshot read, so a page is
 * rebuilt the way the SQLite store serves later pages: read the current
 * objects (strongly consistent Query), then the type's head C, then every
 * log row in (R, C]. A key with a row there is shown as the before-state of
 * its first row after R (absent if that row created it); any other key is
 * shown as read, since nothing changed it after R. Every write that the
 * objects Query saw had committed before C was read, so its log row is in
 * (R, C]; the rows there must be gapless, and a row missing past a few
 * re-reads or past its expiry means the log no longer covers R.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { KubeObject } from '../../api/object.ts';
import { badRequest } from '../../errors/index.ts';
import { StorageError } from '../errors.ts';
import { decodeContinue, encodeContinue } from '../sqlite/continue-token.ts';
import type { ListOptions, ListResult } from '../store.ts';
import { type Item, isExpired, itemBody, type LogRow } from './codec.ts';
import type { DynamoContext } from './context.ts';
import { withRetries } from './driver-errors.ts';
import { type Head, readHead, readLogRows, resolvePrev } from './log.ts';
import { ATTR, KEY_SEPARATOR, objectSortKey } from './tables.ts';

/** The message of a continue token whose revision the log no longer covers (410 Expired). */
export const CONTINUE_EXPIRED_MESSAGE =
  'the continue token is too old: the store no longer holds the history needed to finish that list ' +
  'consistently; start a new list without it';

/** Above every name character in UTF-8 order, so `<ns>#` … `<ns>#\uffff` spans one namespace. */
const HIGH = '\uffff';

/** Rows in (R, C] that are not visible yet are re-read this often before the log is declared incomplete. */
const MISSING_ROW_RETRIES = 5;

interface Entry {
  sk: string;
  body: string;
}

/** Reads one page of `resource` (see the module comment). Throws ResourceExpired, or 400 for a malformed token. */
export async function listPage(ctx: DynamoContext, resource: string, options: ListOptions): Promise<ListResult> {
  const namespace = options.namespace ?? '';
  const limit = Math.max(0, options.limit ?? 0);
  const start = await readHead(ctx, resource);
  let revision = start.revision;
  let after: string | undefined;
  if (options.continue) {
    const pos = decodeContinue(options.continue);
    if (pos.rev > start.revision) throw badRequest('invalid continue token: its revision is in the future');
    if (pos.rev < start.compacted) throw new StorageError('ResourceExpired', CONTINUE_EXPIRED_MESSAGE);
    revision = pos.rev;
    after = objectSortKey(pos.namespace, pos.name);
  }

  const objects: Entry[] = [];
  const changes = new Map<string, LogRow>();
  let logRead = revision;
  let cursor: Item | undefined;
  let page: Entry[];
  for (;;) {
    const chunk = await queryObjects(ctx, resource, namespace, after, cursor, limit ? limit + 1 : 0);
    objects.push(...chunk.entries);
    cursor = chunk.next;
    const head = await readHead(ctx, resource);
    logRead = await readChanges(ctx, resource, revision, logRead, head, changes);
    // Keys past the last one read may still be filled from a later chunk, so the view stops there.
    const upTo = cursor ? objects[objects.length - 1]?.sk : undefined;
    page = await view(ctx, resource, objects, changes, namespace, after, upTo);
    const matches = options.predicate ? countMatches(page, options.predicate, limit + 1) : page.length;
    if (!cursor || (limit && matches > limit)) break;
  }

  const items: KubeObject[] = [];
  let last: Entry | undefined;
  let more = false;
  for (const entry of page) {
    const obj = JSON.parse(entry.body) as KubeObject;
    if (options.predicate && !options.predicate(obj)) continue;
    if (limit && items.length === limit) {
      more = true;
      break;
    }
    items.push(obj);
    last = entry;
  }
  const result: ListResult = { items, revision };
  if (more && last) {
    // Namespaces never contain the separator, so the first one splits the key.
    const at = last.sk.indexOf(KEY_SEPARATOR);
    result.continue = encodeContinue({ rev: revision, namespace: last.sk.slice(0, at), name: last.sk.slice(at + 1) });
  }
  return result;
}

/** One Query page of current objects after `after` (exclusive), within `namespace` when set. */
async function queryObjects(
  ctx: DynamoContext,
  resource: string,
  namespace: string,
  after: string | undefined,
  cursor: Item | undefined,
  limit: number,
): Promise<{ entries: Entry[]; next?: Item }> {
  const names: Record<string, string> = { '#pk': ATTR.pk, '#sk': ATTR.sk, '#body': ATTR.body };
  const values: Record<string, unknown> = { ':pk': resource };
  let condition = '#pk = :pk';
  if (namespace) {
    const lowest = objectSortKey(namespace, '');
    const highest = objectSortKey(namespace, HIGH);
    if (after !== undefined && compareUtf8(after, highest) >= 0) return { entries: [] };
    condition += ' AND #sk BETWEEN :lo AND :hi';
    values[':lo'] = after !== undefined && compareUtf8(after, lowest) > 0 ? after : lowest;
    values[':hi'] = highest;
  } else if (after !== undefined) {
    condition += ' AND #sk > :lo';
    values[':lo'] = after;
  }
  const out = await withRetries(
    () =>
      ctx.doc.send(
        new QueryCommand({
          TableName: ctx.tables.objects,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ProjectionExpression: '#sk, #body',
          ConsistentRead: true,
          ExclusiveStartKey: cursor,
          Limit: limit || undefined,
        }),
      ),
    ctx.retry,
  );
  const entries = (out.Items ?? [])
    .map((i) => ({ sk: String(i[ATTR.sk]), body: itemBody(i) }))
    .filter((e) => after === undefined || e.sk !== after);
  return { entries, next: out.LastEvaluatedKey };
}

/**
 * Adds the first log row after `revision` of each key to `changes`, reading
 * (readSoFar, head.revision]. Returns the new high-water mark. Throws
 * ResourceExpired when a needed row is compacted, expired or stays missing.
 */
async function readChanges(
  ctx: DynamoContext,
  resource: string,
  revision: number,
  readSoFar: number,
  head: Head,
  changes: Map<string, LogRow>,
): Promise<number> {
  if (head.revision <= readSoFar) return readSoFar;
  let next = readSoFar;
  for (let attempt = 0; next < head.revision; attempt++) {
    if (revision < head.compacted) throw new StorageError('ResourceExpired', CONTINUE_EXPIRED_MESSAGE);
    const { rows } = await readLogRows(ctx, resource, next, { through: head.revision });
    const now = ctx.now();
    for (const row of rows) {
      if (row.revision !== next + 1) break;
      if (isExpired(row, now)) throw new StorageError('ResourceExpired', CONTINUE_EXPIRED_MESSAGE);
      const sk = objectSortKey(row.namespace, row.name);
      if (!changes.has(sk)) changes.set(sk, row);
      next = row.revision;
    }
    if (next < head.revision && attempt >= MISSING_ROW_RETRIES) {
      throw new StorageError('ResourceExpired', CONTINUE_EXPIRED_MESSAGE);
    }
    if (next < head.revision) await new Promise((r) => setTimeout(r, 10 * (attempt + 1)));
  }
  return next;
}

/** The state at the list's revision of the keys in (after, upTo], in key order. */
async function view(
  ctx: DynamoContext,
  resource: string,
  objects: Entry[],
  changes: Map<string, LogRow>,
  namespace: string,
  after: string | undefined,
  upTo: string | undefined,
): Promise<Entry[]> {
  const out: Entry[] = [];
  const inRange = (sk: string) =>
    (after === undefined || compareUtf8(sk, after) > 0) &&
    (upTo === undefined || compareUtf8(sk, upTo) <= 0) &&
    (!namespace || sk.startsWith(objectSortKey(namespace, '')));
  for (const o of objects) if (!changes.has(o.sk)) out.push(o);
  for (const [sk, row] of changes) {
    if (row.type === 'ADDED' || !inRange(sk)) continue;
    const prev = await resolvePrev(ctx, resource, row);
    if (prev !== undefined) out.push({ sk, body: prev });
  }
  return out.sort((a, b) => compareUtf8(a.sk, b.sk));
}

function countMatches(entries: Entry[], predicate: (o: KubeObject) => boolean, enough: number): number {
  let n = 0;
  for (const e of entries) if (predicate(JSON.parse(e.body) as KubeObject) && ++n >= enough) break;
  return n;
}

/** Compares as DynamoDB orders string keys (UTF-8 bytes), which UTF-16 order differs from past the BMP. */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
