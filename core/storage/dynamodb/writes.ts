/**
 * The one write path of the DynamoDB store: a TransactWriteItems of
 *   [0] the type's head: SET rev = R+1, on condition rev is still R,
 *   [1] the object: Put/Delete on condition of its stored revision
 *       (attribute_not_exists for a create),
 *   [2] the log row R+1 (and [3] an overflow row for a large prev body).
 * Revisions are thus allocated inside the write: gapless and in commit order,
 * at the price of serializing every write of a type on its head item.
 * Cancellation reasons tell the outcomes apart: [1] failed → KeyExists, or
 * the object changed since it was read (the caller reads again); [0] failed
 * → another write took R+1, retry with the head DynamoDB returned;
 * TransactionConflict/throttling → retry with jittered backoff.
 */
import { randomUUID } from 'node:crypto';
import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { KubeObject } from '../../api/object.ts';
import { StorageError } from '../errors.ts';
import type { StoreEventType, StoreKey } from '../store.ts';
import { encodeBody, type Item, keyString, logItems, objectItem, stamp } from './codec.ts';
import type { DynamoContext } from './context.ts';
import { backoff, errorName, isRetryable, RETRYABLE_REASONS, toStorageError } from './driver-errors.ts';
import { readHead } from './log.ts';
import { ATTR, HEAD_SK, objectSortKey } from './tables.ts';

/** An object as read from the objects table. */
export interface StoredObject {
  obj: KubeObject;
  body: string;
  revision: number;
}

/** What a write does to one key. */
export type WriteOp =
  | { kind: 'create'; obj: KubeObject }
  | { kind: 'update'; obj: KubeObject; current: StoredObject }
  | { kind: 'delete'; current: StoredObject };

/** The outcome of `commit`: the stored object, or `stale` when the object changed since it was read. */
export type CommitResult = { object: KubeObject; revision: number } | { stale: true };

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** How many times a writer of one type retries when others keep taking the next revision first. */
const CONTENTION_ATTEMPTS = 200;
const CONTENTION_CAP_MILLIS = 1_000;

/**
 * Waits after losing the head race: uniform in [0, latency·2^attempt], capped.
 * Scaling by the transaction latency spreads the losers over about as many
 * commit slots as there are of them, instead of having them collide again
 * (measured on DynamoDB Local with 32 racing writers: about 2.2
 * transactions per write instead of 10-15 with immediate retries, and
 * 1.5-3× the throughput).
 */
function contentionBackoff(attempt: number, latencyMillis: number): Promise<void> {
  const ceiling = Math.min(CONTENTION_CAP_MILLIS, Math.max(1, latencyMillis) * 2 ** Math.min(attempt, 10));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

const EVENT: Record<WriteOp['kind'], StoreEventType> = { create: 'ADDED', update: 'MODIFIED', delete: 'DELETED' };

/**
 * Commits `op` at the revision after `headRevision` (or a later one, if
 * other writers get there first). Throws KeyExists for a create of a taken
 * key, InvalidObject for an oversized object, Timeout when contention or
 * conflicts outlast the retries, Unreachable for other DynamoDB failures.
 */
export async function commit(
  ctx: DynamoContext,
  key: StoreKey,
  op: WriteOp,
  headRevision: number,
): Promise<CommitResult> {
  const k = keyString(key);
  let head = headRevision;
  let built: { revision: number; input: TransactWriteCommandInput; body: string } | undefined;
  let transient = 0;
  for (let attempt = 0; ; attempt++) {
    if (attempt >= CONTENTION_ATTEMPTS) {
      throw new StorageError('Timeout', `gave up writing ${k}: too much contention for ${key.resource} revisions`, k);
    }
    if (built?.revision !== head + 1) built = build(ctx, key, op, head);
    const sent = performance.now();
    try {
      await ctx.doc.send(new TransactWriteCommand(built.input));
      ctx.stats.transactMillis += (performance.now() - sent - ctx.stats.transactMillis) / 8;
      const object = op.kind === 'delete' ? stamp(op.current.obj, built.revision) : JSON.parse(built.body);
      return { object, revision: built.revision };
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (!reasons) {
        // Throttled or unavailable before a verdict: resend the same request, whose
        // ClientRequestToken makes a repeat of an already committed write a no-op.
        if (!isRetryable(e) || ++transient >= ctx.retry.attempts) throw toStorageError(e, k);
        ctx.logger.debug({ key: k, error: errorName(e), attempt }, 'retrying DynamoDB write');
        await backoff(transient, ctx.retry);
        continue;
      }
      const codes = reasons.map((r) => r.Code ?? 'None');
      if (codes[1] === 'ConditionalCheckFailed') {
        if (op.kind === 'create') throw new StorageError('KeyExists', `key exists: ${k}`, k);
        return { stale: true };
      }
      if (codes[0] === 'ConditionalCheckFailed') {
        ctx.stats.transactMillis += (performance.now() - sent - ctx.stats.transactMillis) / 8;
        head = headFrom(reasons[0].Item) ?? (await readHead(ctx, key.resource)).revision;
        await contentionBackoff(attempt, ctx.stats.transactMillis);
        continue;
      }
      if (codes.some((c) => RETRYABLE_REASONS.has(c))) {
        if (++transient >= ctx.retry.attempts) {
          throw new StorageError('Timeout', `gave up writing ${k} after repeated ${codes.join('/')}`, k);
        }
        ctx.logger.debug({ key: k, reasons: codes, attempt }, 'retrying cancelled DynamoDB transaction');
        await backoff(transient, ctx.retry);
        built = undefined; // a new attempt needs a new ClientRequestToken
        continue;
      }
      throw new StorageError('Unreachable', `DynamoDB cancelled the write of ${k}: ${codes.join(', ')}`, k);
    }
  }
}

/** Builds the transaction for revision `head + 1`. */
function build(
  ctx: DynamoContext,
  key: StoreKey,
  op: WriteOp,
  head: number,
): { revision: number; input: TransactWriteCommandInput; body: string } {
  const revision = head + 1;
  const body = op.kind === 'delete' ? '' : encodeBody(stamp(op.obj, revision), key);
  const t = ctx.tables;
  const objectKey = { [ATTR.pk]: key.resource, [ATTR.sk]: objectSortKey(key.namespace, key.name) };
  const headUpdate: TransactItem = {
    Update: {
      TableName: t.log,
      Key: { [ATTR.pk]: key.resource, [ATTR.sk]: HEAD_SK },
      UpdateExpression: 'SET #h = :next',
      ConditionExpression: head === 0 ? 'attribute_not_exists(#h)' : '#h = :cur',
      ExpressionAttributeNames: { '#h': ATTR.head },
      ExpressionAttributeValues: head === 0 ? { ':next': revision } : { ':next': revision, ':cur': head },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
  const objectWrite: TransactItem =
    op.kind === 'create'
      ? {
          Put: {
            TableName: t.objects,
            Item: objectItem(key, revision, body),
            ConditionExpression: 'attribute_not_exists(#sk)',
            ExpressionAttributeNames: { '#sk': ATTR.sk },
          },
        }
      : op.kind === 'update'
        ? {
            Put: {
              TableName: t.objects,
              Item: objectItem(key, revision, body),
              ConditionExpression: '#rv = :cur',
              ExpressionAttributeNames: { '#rv': ATTR.revision },
              ExpressionAttributeValues: { ':cur': op.current.revision },
            },
          }
        : {
            Delete: {
              TableName: t.objects,
              Key: objectKey,
              ConditionExpression: '#rv = :cur',
              ExpressionAttributeNames: { '#rv': ATTR.revision },
              ExpressionAttributeValues: { ':cur': op.current.revision },
            },
          };
  const log = logItems(key.resource, {
    revision,
    type: EVENT[op.kind],
    namespace: key.namespace,
    name: key.name,
    body: op.kind === 'delete' ? undefined : body,
    prev: op.kind === 'create' ? undefined : op.current.body,
    expiresAt: Math.floor(ctx.now() / 1000) + ctx.retentionSeconds,
  });
  const items: TransactItem[] = [headUpdate, objectWrite, { Put: { TableName: t.log, Item: log.row } }];
  if (log.overflow) items.push({ Put: { TableName: t.log, Item: log.overflow } });
  return { revision, body, input: { TransactItems: items, ClientRequestToken: randomUUID() } };
}

/** The cancellation reasons of a TransactionCanceledException, or undefined for any other error. */
function cancellationReasons(e: unknown): CancellationReason[] | undefined {
  if (errorName(e) !== 'TransactionCanceledException') return undefined;
  return (e as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
}

/** The head revision in a cancellation reason's ALL_OLD item (wire format), when DynamoDB sent one. */
function headFrom(item: Item | Record<string, { N?: string }> | undefined): number | undefined {
  const v = item?.[ATTR.head] as { N?: string } | number | undefined;
  if (typeof v === 'number') return v;
  return v?.N === undefined ? undefined : Number(v.N);
}
