/**
 * The one write path of the DynamoDB store: a TransactWriteItems of
 *   [0] the object: Put/Delete on condition of its stored revision
 *       (attribute_not_exists for a create),
 *   [1] the log row R = latest + 1, on condition it does not exist yet,
 *   [2] for a delete only: the head's revision floor SET to R (a deleted
 *       object no longer carries its revision; see `latestRevision`),
 *   and an overflow row when a large previous body does not fit the row.
 * The log row is the revision counter: revisions are allocated inside the
 * write, gapless and in commit order (a writer takes R only after seeing
 * R - 1 committed, and only one writer can create row R). Without a
 * separate counter item a create or update is two items, each a single
 * write unit for a compressed body under 1 KB: 4 WRU (transactions bill
 * twice).
 * Cancellation reasons tell the outcomes apart: [0] failed → KeyExists, or
 * the object changed since it was read (the caller reads again); [1] failed
 * → another write took R, retry at the new latest revision;
 * TransactionConflict/throttling → retry with jittered backoff.
 */
import { randomUUID } from 'node:crypto';
import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { KubeObject } from '../../api/object.ts';
import { StorageError } from '../errors.ts';
import type { StoreEventType, StoreKey } from '../store.ts';
import { compressBody } from './body-codec.ts';
import { encodeBody, keyString, logItems, objectItem, stamp } from './codec.ts';
import type { DynamoContext } from './context.ts';
import { backoff, errorName, isRetryable, RETRYABLE_REASONS, toStorageError } from './driver-errors.ts';
import { latestRevision } from './log.ts';
import { ATTR, HEAD_SK, objectSortKey } from './tables.ts';

/** An object as read from the objects table. */
export interface StoredObject {
  obj: KubeObject;
  /** The object as stored (JSON). */
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
 * Waits after losing the race for a revision: uniform in [0, latency·2^attempt], capped.
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
 * Commits `op` at the revision after `latest` (or a later one, if other
 * writers get there first). Throws KeyExists for a create of a taken key,
 * InvalidObject for an oversized object, Timeout when contention or
 * conflicts outlast the retries, Unreachable for other DynamoDB failures.
 */
export async function commit(ctx: DynamoContext, key: StoreKey, op: WriteOp, latest: number): Promise<CommitResult> {
  const k = keyString(key);
  let head = latest;
  let built: Built | undefined;
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
      if (codes[0] === 'ConditionalCheckFailed') {
        if (op.kind === 'create') throw new StorageError('KeyExists', `key exists: ${k}`, k);
        return { stale: true };
      }
      if (codes[1] === 'ConditionalCheckFailed') {
        // Another write took revision R first; R + 1 is likely taken by now too under contention.
        ctx.stats.transactMillis += (performance.now() - sent - ctx.stats.transactMillis) / 8;
        await contentionBackoff(attempt, ctx.stats.transactMillis);
        head = Math.max(head + 1, await latestRevision(ctx, key.resource));
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

interface Built {
  revision: number;
  input: TransactWriteCommandInput;
  /** The stored object as JSON (empty for a delete). */
  body: string;
}

/** Builds the transaction for revision `head + 1`. */
function build(ctx: DynamoContext, key: StoreKey, op: WriteOp, head: number): Built {
  const revision = head + 1;
  const body = op.kind === 'delete' ? '' : encodeBody(stamp(op.obj, revision), key);
  const compressed = op.kind === 'delete' ? undefined : compressBody(body);
  const t = ctx.tables;
  const objectKey = { [ATTR.pk]: key.resource, [ATTR.sk]: objectSortKey(key.namespace, key.name) };
  const unchangedSince = (current: StoredObject) => ({
    ConditionExpression: '#rv = :cur',
    ExpressionAttributeNames: { '#rv': ATTR.revision },
    ExpressionAttributeValues: { ':cur': current.revision },
  });
  const objectWrite: TransactItem =
    op.kind === 'create'
      ? {
          Put: {
            TableName: t.objects,
            Item: objectItem(key, revision, compressed!),
            ConditionExpression: 'attribute_not_exists(#sk)',
            ExpressionAttributeNames: { '#sk': ATTR.sk },
          },
        }
      : op.kind === 'update'
        ? { Put: { TableName: t.objects, Item: objectItem(key, revision, compressed!), ...unchangedSince(op.current) } }
        : { Delete: { TableName: t.objects, Key: objectKey, ...unchangedSince(op.current) } };
  const log = logItems(
    key.resource,
    {
      revision,
      type: EVENT[op.kind],
      namespace: key.namespace,
      name: key.name,
      body: op.kind === 'delete' ? undefined : body,
      prev: op.kind === 'create' ? undefined : op.current.body,
      expiresAt: Math.floor(ctx.now() / 1000) + ctx.retentionSeconds,
    },
    compressed,
  );
  const items: TransactItem[] = [
    objectWrite,
    {
      Put: {
        TableName: t.log,
        Item: log.row,
        ConditionExpression: 'attribute_not_exists(#sk)',
        ExpressionAttributeNames: { '#sk': ATTR.sk },
      },
    },
  ];
  if (op.kind === 'delete') {
    items.push({
      Update: {
        TableName: t.log,
        Key: { [ATTR.pk]: key.resource, [ATTR.sk]: HEAD_SK },
        UpdateExpression: 'SET #f = :r',
        ExpressionAttributeNames: { '#f': ATTR.floor },
        ExpressionAttributeValues: { ':r': revision },
      },
    });
  }
  if (log.overflow) items.push({ Put: { TableName: t.log, Item: log.overflow } });
  return { revision, body, input: { TransactItems: items, ClientRequestToken: randomUUID() } };
}

/** The cancellation reasons of a TransactionCanceledException, or undefined for any other error. */
function cancellationReasons(e: unknown): CancellationReason[] | undefined {
  if (errorName(e) !== 'TransactionCanceledException') return undefined;
  return (e as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
}
