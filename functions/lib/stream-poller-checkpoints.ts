/**
 * Where a stream poller remembers how far it got in each shard: the sequence
 * number of the last record handled (or reported poison), and whether the
 * shard is finished (closed and read to its end), which lets its children
 * start. A poller keeps checkpoints in memory and writes each one through to
 * a `StreamCheckpointStore` when given, so a new poller resumes after it.
 */

/** How far one shard has been processed. */
export interface ShardCheckpoint {
  /** The last record handled; absent when nothing was (read from TRIM_HORIZON). */
  sequenceNumber?: string;
  /** The shard is closed and every record of it was handled. */
  finished: boolean;
}

/** Checkpoints by shard id. */
export type StreamCheckpoints = Record<string, ShardCheckpoint>;

/**
 * Persists checkpoints (a DynamoDB item, a file, memory). `save` is called
 * after every handled batch, in order per shard; a failing save is logged and
 * the poller goes on (after a crash, records since the last saved checkpoint
 * are delivered again: at least once).
 */
export interface StreamCheckpointStore {
  /** Every checkpoint saved for `streamArn` ({} when none). */
  load(streamArn: string): Promise<StreamCheckpoints>;
  save(streamArn: string, shardId: string, checkpoint: ShardCheckpoint): Promise<void>;
}

/** A checkpoint store in this process's memory: survives a poller's stop and start, not a restart of the process. */
export function memoryCheckpointStore(): StreamCheckpointStore {
  const streams = new Map<string, StreamCheckpoints>();
  return {
    async load(streamArn) {
      return structuredClone(streams.get(streamArn) ?? {});
    },
    async save(streamArn, shardId, checkpoint) {
      const shards = streams.get(streamArn) ?? {};
      shards[shardId] = { ...checkpoint };
      streams.set(streamArn, shards);
    },
  };
}
