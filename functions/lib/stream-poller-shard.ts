/**
 * Reads one stream shard from a checkpoint to its end (or until stopped),
 * gathering records into batches by size and batching window and handing
 * each batch to `deliver`, as an event source mapping's shard poller does.
 * Expired iterators are renewed at the last record read; a checkpoint older
 * than the stream's 24-hour retention restarts at TRIM_HORIZON (logged as an
 * error: records were lost before this reader saw them).
 */
import {
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Logger } from '../../core/apiserver/types.ts';
import { toLambdaRecord } from './stream-poller-records.ts';

/** The most records one GetRecords call returns. */
const GET_RECORDS_LIMIT = 1000;

/** What reading a shard needs. */
export interface ShardReaderDeps {
  client: DynamoDBStreamsClient;
  streamArn: string;
  shardId: string;
  /** Resume after this record; undefined starts at TRIM_HORIZON. */
  after?: string;
  batchSize: number;
  batchingWindowMs: number;
  pollIntervalMs: number;
  /** Delivers and commits a batch; false when stopped before finishing it. */
  deliver(records: DynamoDBRecord[]): Promise<boolean>;
  signal: AbortSignal;
  /** Waits, returning early when `signal` aborts. */
  sleep(ms: number): Promise<void>;
  now(): number;
  logger: Logger;
}

/**
 * Reads the shard. Resolves 'finished' once the shard is closed and every
 * record of it was delivered, 'stopped' when the signal aborted first.
 * Rejects on other API failures (the caller retries from its checkpoint).
 */
export async function readShard(deps: ShardReaderDeps): Promise<'finished' | 'stopped'> {
  const { client, streamArn, shardId, signal, logger } = deps;
  let position = deps.after;
  const iteratorAt = async (): Promise<string | undefined> => {
    try {
      const out = await client.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ...(position
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: position }
            : { ShardIteratorType: 'TRIM_HORIZON' }),
        }),
        { abortSignal: signal },
      );
      return out.ShardIterator;
    } catch (e) {
      if (!(e instanceof TrimmedDataAccessException) || !position) throw e;
      logger.error(
        { shardId, after: position },
        'stream checkpoint is past retention; records were lost; reading from TRIM_HORIZON',
      );
      position = undefined;
      return iteratorAt();
    }
  };

  let iterator = await iteratorAt();
  let buffer: DynamoDBRecord[] = [];
  let bufferedSince = 0;
  while (!signal.aborted) {
    if (!iterator) {
      // Closed: what is buffered is the rest of the shard.
      if (buffer.length > 0 && !(await deps.deliver(buffer))) return 'stopped';
      return 'finished';
    }
    let out: GetRecordsCommandOutput;
    try {
      const Limit = Math.min(GET_RECORDS_LIMIT, deps.batchSize - buffer.length);
      out = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit }), { abortSignal: signal });
    } catch (e) {
      if (signal.aborted) break;
      if (e instanceof ExpiredIteratorException) {
        logger.debug({ shardId, after: position }, 'shard iterator expired; renewing');
        iterator = await iteratorAt();
        continue;
      }
      if (e instanceof TrimmedDataAccessException) {
        logger.error(
          { shardId, after: position },
          'stream records trimmed before they were read; reading from TRIM_HORIZON',
        );
        position = undefined;
        iterator = await iteratorAt();
        continue;
      }
      throw e;
    }
    const records = (out.Records ?? []).map((r) => toLambdaRecord(r, streamArn));
    if (records.length > 0) {
      if (buffer.length === 0) bufferedSince = deps.now();
      buffer.push(...records);
      position = records[records.length - 1].dynamodb?.SequenceNumber ?? position;
    }
    iterator = out.NextShardIterator;
    const windowLeft = bufferedSince + deps.batchingWindowMs - deps.now();
    if (buffer.length >= deps.batchSize || (buffer.length > 0 && windowLeft <= 0)) {
      if (!(await deps.deliver(buffer))) return 'stopped';
      buffer = [];
      continue;
    }
    // A short read means the shard has nothing more for now.
    if (iterator && records.length === 0) {
      await deps.sleep(buffer.length > 0 ? Math.min(deps.pollIntervalMs, windowLeft) : deps.pollIntervalMs);
    }
  }
  return 'stopped';
}
