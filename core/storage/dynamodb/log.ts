/**
 * Reading the revision log table: a type's current revision (its highest log
 * row), its head item (compacted revision and revision floor) and its log
 * rows, and compacting it. Every read is strongly consistent, since
 * revisions and continues are only correct against the latest committed
 * state.
 */
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../errors.ts';
import { decodeLogRow, type Item, type LogRow, overflowPrev } from './codec.ts';
import type { DynamoContext } from './context.ts';
import { errorName, withRetries } from './driver-errors.ts';
import { ATTR, HEAD_SK, overflowPartition, TTL_GRACE_SECONDS } from './tables.ts';

/** A type's head: its latest revision (0 before the first write) and the revision its log was compacted to. */
export interface Head {
  revision: number;
  compacted: number;
}

/**
 * The latest row is trusted as the type's latest revision only while its TTL
 * is at least this far away: DynamoDB never deletes a row before its `ttl`,
 * and every later row has a later `ttl` (written after it), so no row above
 * it can be gone. The margin absorbs clock differences between writers.
 */
const TTL_SAFETY_SECONDS = TTL_GRACE_SECONDS / 12;

/** Kubernetes' message for a watch from a revision the log no longer holds (410 Expired). */
export function tooOld(requested: number, oldest: number): StorageError {
  return new StorageError('ResourceExpired', `too old resource version: ${requested} (${oldest})`);
}

/** Reads a type's head: its latest revision and compacted revision. */
export async function readHead(ctx: DynamoContext, resource: string): Promise<Head> {
  const revision = await latestRevision(ctx, resource);
  const head = await readHeadItem(ctx, resource);
  return { revision, compacted: head.compacted };
}

/**
 * The type's latest revision: the highest log row, which the next write
 * takes plus one. One Query, unless that row is close to its TTL (the type
 * has been idle for about an hour) or there is none: then rows above it may
 * have been deleted, and the revision is rebuilt as the highest of what
 * cannot vanish: the head's floor (the latest delete) and compacted
 * revision, and the objects' own resourceVersions (the latest create or
 * update is still an object, or a later delete raised the floor).
 */
export async function latestRevision(ctx: DynamoContext, resource: string): Promise<number> {
  const out = await withRetries(
    () =>
      ctx.doc.send(
        new QueryCommand({
          TableName: ctx.tables.log,
          KeyConditionExpression: '#pk = :pk AND #sk > :head',
          ExpressionAttributeNames: { '#pk': ATTR.pk, '#sk': ATTR.sk, '#ttl': ATTR.ttl, '#exp': ATTR.expiresAt },
          ExpressionAttributeValues: { ':pk': resource, ':head': HEAD_SK },
          ProjectionExpression: '#sk, #ttl, #exp',
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      ),
    ctx.retry,
  );
  const top = out.Items?.[0];
  const topRevision = top ? Number(top[ATTR.sk]) : 0;
  // Rows written before the `ttl` attribute had their TTL on `expiresAt`.
  const ttl = top ? Number(top[ATTR.ttl] ?? top[ATTR.expiresAt] ?? 0) : 0;
  if (top && ctx.now() < (ttl - TTL_SAFETY_SECONDS) * 1000) return topRevision;
  const head = await readHeadItem(ctx, resource);
  return Math.max(topRevision, head.floor, head.compacted, await highestObjectRevision(ctx, resource));
}

/** The head item: the revision floor left by deletes (or a legacy counter) and the compacted revision. */
async function readHeadItem(ctx: DynamoContext, resource: string): Promise<{ floor: number; compacted: number }> {
  const out = await withRetries(
    () =>
      ctx.doc.send(
        new GetCommand({
          TableName: ctx.tables.log,
          Key: { [ATTR.pk]: resource, [ATTR.sk]: HEAD_SK },
          ConsistentRead: true,
        }),
      ),
    ctx.retry,
  );
  return {
    floor: Math.max(Number(out.Item?.[ATTR.floor] ?? 0), Number(out.Item?.[ATTR.head] ?? 0)),
    compacted: Number(out.Item?.[ATTR.compacted] ?? 0),
  };
}

/** The highest resourceVersion among a type's objects (a full read of the type; the rare path of `latestRevision`). */
async function highestObjectRevision(ctx: DynamoContext, resource: string): Promise<number> {
  let highest = 0;
  let start: Item | undefined;
  do {
    const out = await withRetries(
      () =>
        ctx.doc.send(
          new QueryCommand({
            TableName: ctx.tables.objects,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': ATTR.pk, '#rv': ATTR.revision },
            ExpressionAttributeValues: { ':pk': resource },
            ProjectionExpression: '#rv',
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      ctx.retry,
    );
    for (const item of out.Items ?? []) highest = Math.max(highest, Number(item[ATTR.revision] ?? 0));
    start = out.LastEvaluatedKey;
  } while (start);
  return highest;
}

/** Reads one log row (expired or not), or undefined when it is not in the table. */
export async function readLogRow(ctx: DynamoContext, resource: string, revision: number): Promise<LogRow | undefined> {
  const out = await withRetries(
    () =>
      ctx.doc.send(
        new GetCommand({
          TableName: ctx.tables.log,
          Key: { [ATTR.pk]: resource, [ATTR.sk]: revision },
          ConsistentRead: true,
        }),
      ),
    ctx.retry,
  );
  return out.Item ? decodeLogRow(out.Item) : undefined;
}

/**
 * Reads log rows with revision in (after, through], ascending, at most
 * `limit` (0: all). Rows past `expiresAt` are returned too: callers decide
 * what an expired row means for them.
 */
export async function readLogRows(
  ctx: DynamoContext,
  resource: string,
  after: number,
  opts: { through?: number; limit?: number } = {},
): Promise<{ rows: LogRow[]; more: boolean }> {
  const rows: LogRow[] = [];
  const limit = opts.limit ?? 0;
  let start: Item | undefined;
  const through = opts.through ?? Number.MAX_SAFE_INTEGER;
  if (through <= after) return { rows, more: false };
  const projection: string[] = [
    ATTR.sk,
    ATTR.type,
    ATTR.namespace,
    ATTR.name,
    ATTR.prev,
    ATTR.prevOverflow,
    ATTR.expiresAt,
    // The before-state is compressed against the after-state, so both are read even when only the former is needed.
    ATTR.body,
  ];
  do {
    const out = await withRetries(
      () =>
        ctx.doc.send(
          new QueryCommand({
            TableName: ctx.tables.log,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
            ExpressionAttributeNames: Object.fromEntries(projection.concat(ATTR.pk).map((a) => [`#${a}`, a])),
            ExpressionAttributeValues: { ':pk': resource, ':lo': after + 1, ':hi': through },
            ProjectionExpression: projection.map((a) => `#${a}`).join(', '),
            ConsistentRead: true,
            ExclusiveStartKey: start,
            Limit: limit ? limit - rows.length : undefined,
          }),
        ),
      ctx.retry,
    );
    for (const item of out.Items ?? []) rows.push(decodeLogRow(item));
    start = out.LastEvaluatedKey;
  } while (start && (!limit || rows.length < limit));
  return { rows, more: start !== undefined };
}

/**
 * The before-state of a row: inline, or read from its overflow item. Throws
 * ResourceExpired when the overflow item is already gone (TTL).
 */
export async function resolvePrev(ctx: DynamoContext, resource: string, row: LogRow): Promise<string | undefined> {
  if (!row.prevOverflow) return row.prev;
  const out = await withRetries(
    () =>
      ctx.doc.send(
        new GetCommand({
          TableName: ctx.tables.log,
          Key: { [ATTR.pk]: overflowPartition(resource), [ATTR.sk]: row.revision },
          ConsistentRead: true,
        }),
      ),
    ctx.retry,
  );
  const prev = out.Item?.[ATTR.prev];
  if (!(prev instanceof Uint8Array) && typeof prev !== 'string') throw tooOld(row.revision - 1, row.revision);
  return overflowPrev(row, prev);
}

/**
 * Records `revision` (clamped to the current one) as the type's compacted
 * revision: watches and continues from before it expire. Rows are left to
 * DynamoDB's TTL, which deletes them for free (a delete would cost a write
 * unit per row), and the latest row, which revisions count from, stays.
 * Never moves back; idempotent.
 */
export async function compactLog(ctx: DynamoContext, resource: string, revision: number): Promise<void> {
  const target = Math.min(revision, await latestRevision(ctx, resource));
  if (target <= 0) return;
  await withRetries(
    () =>
      ctx.doc
        .send(
          new UpdateCommand({
            TableName: ctx.tables.log,
            Key: { [ATTR.pk]: resource, [ATTR.sk]: HEAD_SK },
            UpdateExpression: 'SET #c = :t',
            ConditionExpression: 'attribute_not_exists(#c) OR #c < :t',
            ExpressionAttributeNames: { '#c': ATTR.compacted },
            ExpressionAttributeValues: { ':t': target },
          }),
        )
        .catch((e: unknown) => {
          // Another compaction got as far or further first.
          if (!isConditionalCheckFailed(e)) throw e;
        }),
    ctx.retry,
  );
}

/** True when `e` is DynamoDB's "conditional request failed" (as opposed to a transaction cancellation). */
export function isConditionalCheckFailed(e: unknown): boolean {
  return errorName(e) === 'ConditionalCheckFailedException';
}
