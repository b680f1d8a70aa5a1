/**
 * A DynamoDB stream poller for running outside Lambda (the local cluster,
 * an agent, tests): it does what a Lambda event source mapping does for a
 * DynamoDB stream. It describes the stream, reads every shard, a child only
 * once its parent is finished (shard lineage), from TRIM_HORIZON or after the
 * shard's checkpoint; batches records by batch size and batching window;
 * calls the handler with records in Lambda's shape (so the stream consumer's
 * handler and `toStoreEvents` run unchanged); checkpoints after each handled
 * batch; bisects failing batches and retries the failing record with backoff
 * before reporting it to `onPoison`. Shards are read concurrently, each in
 * order.
 *
 * Delivery is at least once across crashes (records since the last saved
 * checkpoint come again); a clean `stop()` then `start()` (same checkpoint
 * store) resumes exactly after the last handled record.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, type DynamoDBStreamsClient, type Shard } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { type Logger, silentLogger } from '../../core/apiserver/types.ts';
import type { ShardCheckpoint, StreamCheckpoints, StreamCheckpointStore } from './stream-poller-checkpoints.ts';
import { deliverBatch, type PoisonHandler, type StreamBatchHandler } from './stream-poller-delivery.ts';
import { readShard } from './stream-poller-shard.ts';

export type { PoisonHandler, StreamBatchHandler } from './stream-poller-delivery.ts';

/** Options of a stream poller; the names follow the event source mapping's parameters. */
export interface StreamPollerOptions {
  client: DynamoDBStreamsClient;
  streamArn: string;
  handler: StreamBatchHandler;
  /** Receives each record that failed every retry (required: records are never dropped silently). */
  onPoison: PoisonHandler;
  /** Records per batch, 1–10,000 (default 100). */
  batchSize?: number;
  /** How long to gather records before a batch that is not full goes out (default 0). */
  maxBatchingWindowMs?: number;
  /** Retries of a failing record once bisection isolated it (default 10; Infinity never gives up). */
  maxRetryAttempts?: number;
  /** Backoff of retries: base × 2^(attempt-1), capped (default 100 ms, 30 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** How often an idle shard is read (default 250 ms: Lambda reads each shard 4 times a second). */
  pollIntervalMs?: number;
  /** How often the stream is described for new shards (default 10 s; also whenever a shard finishes). */
  discoveryIntervalMs?: number;
  /** Where checkpoints are saved and loaded from at start; without it they live in this poller only. */
  checkpoints?: StreamCheckpointStore;
  logger?: Logger;
}

/** A running (or stopped) poller. */
export interface StreamPoller {
  /** Loads checkpoints and starts reading. Rejects when the stream cannot be described. Not re-entrant. */
  start(): Promise<void>;
  /** Stops reading; resolves once no handler runs and every checkpoint is taken. Idempotent. */
  stop(): Promise<void>;
  /** A copy of the checkpoints, by shard id. */
  checkpoints(): StreamCheckpoints;
}

/** Creates a poller; it does nothing until `start()`. Throws on out-of-range options. */
export function createStreamPoller(opts: StreamPollerOptions): StreamPoller {
  const batchSize = opts.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new Error(`batchSize must be 1-10000, got ${batchSize}`);
  }
  const logger = opts.logger ?? silentLogger;
  const retryBaseMs = opts.retryBaseMs ?? 100;
  const retryMaxMs = opts.retryMaxMs ?? 30_000;
  const backoffMs = (attempt: number) => Math.min(retryMaxMs, retryBaseMs * 2 ** (attempt - 1));
  let checkpoints: StreamCheckpoints = {};
  const running = new Map<string, Promise<void>>();
  let abort = new AbortController();
  let discovery: Promise<void> | undefined;

  /** Waits `ms`, or less when stopped or when `wake` is called. */
  const sleep = (ms: number, wake?: (resume: () => void) => void) =>
    new Promise<void>((resolve) => {
      const signal = abort.signal;
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
      wake?.(done);
    });
  // A shard that finishes while the stream is being described must still trigger another description.
  let rediscover = false;
  let resumeDiscovery = () => {};
  const wakeDiscovery = () => {
    rediscover = true;
    resumeDiscovery();
  };

  const save = async (shardId: string, checkpoint: ShardCheckpoint) => {
    checkpoints[shardId] = checkpoint;
    try {
      await opts.checkpoints?.save(opts.streamArn, shardId, checkpoint);
    } catch (e) {
      logger.warn({ shardId, err: (e as Error).message }, 'stream checkpoint not saved');
    }
  };

  async function runShard(shardId: string): Promise<void> {
    const signal = abort.signal;
    for (let failures = 0; !signal.aborted;) {
      try {
        const result = await readShard({
          client: opts.client,
          streamArn: opts.streamArn,
          shardId,
          after: checkpoints[shardId]?.sequenceNumber,
          batchSize,
          batchingWindowMs: opts.maxBatchingWindowMs ?? 0,
          pollIntervalMs: opts.pollIntervalMs ?? 250,
          deliver: (records) => deliver(shardId, records),
          signal,
          sleep: (ms) => sleep(ms),
          now: Date.now,
          logger,
        });
        if (result === 'finished') {
          await save(shardId, { ...checkpoints[shardId], finished: true });
          logger.info({ shardId }, 'stream shard finished');
          wakeDiscovery();
        }
        return;
      } catch (e) {
        if (signal.aborted) return;
        failures++;
        logger.warn(
          { shardId, err: (e as Error).message, failures },
          'stream shard reader failed; resuming from its checkpoint',
        );
        await sleep(backoffMs(failures));
      }
    }
  }

  function deliver(shardId: string, records: DynamoDBRecord[]): Promise<boolean> {
    return deliverBatch(records, {
      handler: opts.handler,
      onPoison: opts.onPoison,
      commit: (record) => save(shardId, { sequenceNumber: record.dynamodb?.SequenceNumber, finished: false }),
      maxRetryAttempts: opts.maxRetryAttempts ?? 10,
      backoffMs,
      sleep: (ms) => sleep(ms),
      stopped: () => abort.signal.aborted,
      logger,
    });
  }

  /** Starts a reader for each shard that is ready: not finished, not running, parent finished or gone. */
  async function discover(): Promise<void> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await opts.client.send(
        new DescribeStreamCommand({ StreamArn: opts.streamArn, ExclusiveStartShardId: start }),
        { abortSignal: abort.signal },
      );
      shards.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    const listed = new Set(shards.map((s) => s.ShardId));
    for (const shard of shards) {
      const id = shard.ShardId;
      if (!id || running.has(id) || checkpoints[id]?.finished) continue;
      const parent = shard.ParentShardId;
      // A parent no longer listed was trimmed (past retention): nothing of it is left to read first.
      if (parent && listed.has(parent) && !checkpoints[parent]?.finished) continue;
      running.set(id, runShard(id));
    }
  }

  async function discoverForever(): Promise<void> {
    while (!abort.signal.aborted) {
      if (!rediscover) {
        await sleep(opts.discoveryIntervalMs ?? 10_000, (resume) => {
          resumeDiscovery = resume;
        });
      }
      rediscover = false;
      if (abort.signal.aborted) return;
      try {
        await discover();
      } catch (e) {
        if (!abort.signal.aborted) logger.warn({ err: (e as Error).message }, 'describing the stream failed');
      }
    }
  }

  return {
    async start() {
      if (discovery) throw new Error('the stream poller is already running');
      abort = new AbortController();
      // This poller's own checkpoints are never older than the saved ones (a save may have failed).
      checkpoints = { ...((await opts.checkpoints?.load(opts.streamArn)) ?? {}), ...checkpoints };
      await discover();
      discovery = discoverForever();
    },
    async stop() {
      abort.abort();
      await discovery;
      await Promise.all(running.values());
      running.clear();
      discovery = undefined;
    },
    checkpoints: () => structuredClone(checkpoints),
  };
}

/** The ARN of `table`'s current stream. Throws when the table has no stream enabled. */
export async function latestStreamArn(client: DynamoDBClient, table: string): Promise<string> {
  const out = await client.send(new DescribeTableCommand({ TableName: table }));
  const arn = out.Table?.StreamSpecification?.StreamEnabled ? out.Table.LatestStreamArn : undefined;
  if (!arn) throw new Error(`table ${table} has no stream enabled`);
  return arn;
}
