/**
 * Delivers one batch of stream records to a handler the way a Lambda event
 * source mapping with `BisectBatchOnFunctionError` and a finite
 * `MaximumRetryAttempts` does: a failing batch is split in half and each half
 * delivered in order until the failing record stands alone; that record is
 * retried with backoff, and only after the last retry reported to `onPoison`.
 * Splitting does not use up retries. A handler may also answer Lambda's
 * partial batch response: the records before the lowest failed sequence
 * number count as handled. Nothing is ever skipped silently: every record
 * ends handled, reported poison, or not committed (when stopped).
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { Logger } from '../../core/apiserver/types.ts';

/** Handles a batch; throws (or answers `batchItemFailures`) to have records retried. */
export type StreamBatchHandler = (records: DynamoDBRecord[]) => Promise<DynamoDBBatchResponse | undefined | void>;

/** Told about a record that still failed after every retry; throwing keeps it (it is retried from the start later). */
export type PoisonHandler = (record: DynamoDBRecord, error: unknown) => Promise<void> | void;

/** What delivery needs. */
export interface DeliveryDeps {
  handler: StreamBatchHandler;
  onPoison: PoisonHandler;
  /** Records that everything up to and including `record` is done; called in order. */
  commit(record: DynamoDBRecord): Promise<void>;
  /** Retries of a record on its own after its first failure (0: report at once). */
  maxRetryAttempts: number;
  /** The delay before retry `attempt` (1, 2, …). */
  backoffMs(attempt: number): number;
  /** Waits, returning early once stopped. */
  sleep(ms: number): Promise<void>;
  stopped(): boolean;
  logger: Logger;
}

type Outcome = { failedAt: number; error: unknown } | undefined;

/** Runs the handler once: undefined when every record succeeded, else the index of the first failed record. */
async function attempt(records: DynamoDBRecord[], handler: StreamBatchHandler): Promise<Outcome> {
  let response: DynamoDBBatchResponse | undefined | void;
  try {
    response = await handler(records);
  } catch (error) {
    return { failedAt: 0, error };
  }
  const failures = response?.batchItemFailures ?? [];
  if (failures.length === 0) return undefined;
  const error = new Error(`the handler reported ${failures.length} failed record(s)`);
  const indexes = failures.map((f) => records.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier));
  // As in Lambda, an identifier that names no record of the batch fails the whole batch.
  if (indexes.some((i) => i < 0)) return { failedAt: 0, error };
  return { failedAt: Math.min(...indexes), error };
}

/**
 * Delivers `records` (one shard's, in order). Resolves true once every record
 * is handled or reported poison (all committed), false when stopped first
 * (records not committed are delivered again by the next reader). Rejects
 * only when `onPoison` or `commit` throws.
 */
export async function deliverBatch(records: DynamoDBRecord[], deps: DeliveryDeps): Promise<boolean> {
  let batch = records;
  let retries = 0;
  while (batch.length > 0) {
    if (deps.stopped()) return false;
    const outcome = await attempt(batch, deps.handler);
    if (!outcome) {
      await deps.commit(batch[batch.length - 1]);
      return true;
    }
    if (outcome.failedAt > 0) {
      // A partial batch response splits the batch where the failure begins (as Lambda bisects there).
      await deps.commit(batch[outcome.failedAt - 1]);
      batch = batch.slice(outcome.failedAt);
      retries = 0;
      continue;
    }
    if (batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      deps.logger.debug({ records: batch.length, err: errorMessage(outcome.error) }, 'stream batch failed; bisecting');
      if (!(await deliverBatch(batch.slice(0, half), deps))) return false;
      batch = batch.slice(half);
      continue;
    }
    const [record] = batch;
    const seq = record.dynamodb?.SequenceNumber;
    if (retries >= deps.maxRetryAttempts) {
      deps.logger.error(
        { eventID: record.eventID, seq, retries, err: errorMessage(outcome.error) },
        'stream record failed every retry; reporting it as poison',
      );
      await deps.onPoison(record, outcome.error);
      await deps.commit(record);
      return true;
    }
    retries++;
    const delay = deps.backoffMs(retries);
    deps.logger.warn(
      { eventID: record.eventID, seq, retry: retries, delayMs: delay, err: errorMessage(outcome.error) },
      'stream record failed; retrying',
    );
    await deps.sleep(delay);
  }
  return true;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
