/**
 * Reading and compacting the revision log table: a type's head item (its
 * revision counter and compacted revision) and its log rows. Every read is
 * strongly consistent, since revisions and continues are only correct
 * against the latest committed state.
 */
import { BatchWriteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../errors.ts';
import { decodeLogRow, type Item, type LogRow } from './codec.ts';
import type { DynamoContext } from './context.ts';
import { backoff, errorName, withRetries } from './driver-errors.ts';
import { ATTR, HEAD_SK, overflowPartition } from './tables.ts';

/** A type's head: its latest revision (0 before the first write) and the revision its log was compacted to. */
export interface Head {
  revision: number;
  compacted: number;
}

/** Kubernetes' message for a watch from a revision the log no longer holds (410 Expired). */
export function tooOld(requested: number, oldest: number): StorageError {
  return new StorageError('ResourceExpired', `too old resource version: ${requested} (${oldest})`);
}

/** Reads a type's head. */
export async function readHead(ctx: DynamoContext, resource: string): Promise<Head> {
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
    revision: Number(out.Item?.[ATTR.head] ?? 0),
    compacted: Number(out.Item?.[ATTR.compacted] ?? 0),
  };
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
 * what an expired row means for them. `withBodies: false` skips the
 * after-state (lists only need the before-state).
 */
export async function readLogRows(
  ctx: DynamoContext,
  resource: string,
  after: number,
  opts: { through?: number; limit?: number; withBodies?: boolean } = {},
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
  ];
  if (opts.withBodies ?? true) projection.push(ATTR.body);
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
  if (typeof prev !== 'string') throw tooOld(row.revision - 1, row.revision);
  return prev;
}

/**
 * Records `revision` (clamped to the current one) as the type's compacted
 * revision, then deletes the log rows at or below it. Never moves back;
 * idempotent, and a compaction cut short is finished by the next one.
 */
export async function compactLog(ctx: DynamoContext, resource: string, revision: number): Promise<void> {
  const head = await readHead(ctx, resource);
  const target = Math.min(revision, head.revision);
  if (target <= 0) return;
  if (target > head.compacted) {
    await withRetries(
      () =>
        ctx.doc
          .send(
            new UpdateCommand({
              TableName: ctx.tables.log,
              Key: { [ATTR.pk]: resource, [ATTR.sk]: HEAD_SK },
              UpdateExpression: 'SET #c = :t',
              ConditionExpression: 'attribute_exists(#h) AND (attribute_not_exists(#c) OR #c < :t)',
              ExpressionAttributeNames: { '#c': ATTR.compacted, '#h': ATTR.head },
              ExpressionAttributeValues: { ':t': target },
            }),
          )
          .catch((e: unknown) => {
            // Another compaction got further first; rows up to `target` are deleted below all the same.
            if (!isConditionalCheckFailed(e)) throw e;
          }),
      ctx.retry,
    );
  }
  const { rows } = await readLogRows(ctx, resource, HEAD_SK, { through: target, withBodies: false });
  const keys: Item[] = [];
  for (const row of rows) {
    keys.push({ [ATTR.pk]: resource, [ATTR.sk]: row.revision });
    if (row.prevOverflow) keys.push({ [ATTR.pk]: overflowPartition(resource), [ATTR.sk]: row.revision });
  }
  for (let i = 0; i < keys.length; i += 25) await deleteBatch(ctx, keys.slice(i, i + 25));
}

/** Deletes up to 25 log items, resubmitting what DynamoDB leaves unprocessed. */
async function deleteBatch(ctx: DynamoContext, keys: Item[]): Promise<void> {
  let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
  for (let attempt = 0; requests.length > 0; attempt++) {
    const out = await withRetries(
      () => ctx.doc.send(new BatchWriteCommand({ RequestItems: { [ctx.tables.log]: requests } })),
      ctx.retry,
    );
    requests = (out.UnprocessedItems?.[ctx.tables.log] ?? []) as typeof requests;
    if (requests.length === 0) return;
    if (attempt + 1 >= ctx.retry.attempts) {
      throw new StorageError('Unreachable', `DynamoDB left ${requests.length} log deletions unprocessed`);
    }
    await backoff(attempt, ctx.retry);
  }
}

/** True when `e` is DynamoDB's "conditional request failed" (as opposed to a transaction cancellation). */
export function isConditionalCheckFailed(e: unknown): boolean {
  return errorName(e) === 'ConditionalCheckFailedException';
}
