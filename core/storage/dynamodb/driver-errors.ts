/**
 * Translation of AWS SDK failures into storage errors, and the retry policy
 * the backend layers on top of the SDK's own retries: the one place that
 * knows DynamoDB's exception names, so no driver error leaves the backend.
 */
import { StatusError } from '../../errors/index.ts';
import { StorageError } from '../errors.ts';

/** Exceptions that say "try again shortly": throttling, contention with another transaction, service hiccups. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
  'LimitExceededException',
]);

const THROTTLED = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded']);

/** Cancellation reason codes of TransactWriteItems that are worth retrying unchanged. */
export const RETRYABLE_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded']);

/** The exception name of an SDK error (`name`), or '' for anything else. */
export function errorName(e: unknown): string {
  return e instanceof Error ? e.name : '';
}

/** True when `e` is a transient DynamoDB failure that a retry with backoff may overcome. */
export function isRetryable(e: unknown): boolean {
  return RETRYABLE.has(errorName(e));
}

/**
 * Maps any failure inside the backend to a StorageError. StorageErrors and
 * StatusErrors (a malformed continue token) pass through unchanged.
 */
export function toStorageError(e: unknown, key?: string): StorageError | StatusError {
  if (e instanceof StorageError || e instanceof StatusError) return e;
  const name = errorName(e);
  const message = e instanceof Error ? e.message : String(e);
  if (name === 'ResourceNotFoundException') {
    return new StorageError('Unreachable', `DynamoDB table not found: ${message}`, key);
  }
  if (THROTTLED.has(name)) {
    return new StorageError('Unreachable', `DynamoDB throttled the request: ${message}`, key);
  }
  if (name === 'TransactionConflictException' || name === 'TransactionInProgressException') {
    return new StorageError('Timeout', `gave up after repeated DynamoDB transaction conflicts: ${message}`, key);
  }
  if (name === 'TimeoutError' || name === 'RequestTimeout') {
    return new StorageError('Timeout', `DynamoDB did not answer in time: ${message}`, key);
  }
  if (name === 'ValidationException' && /size/i.test(message)) {
    return new StorageError('InvalidObject', `DynamoDB rejected the item: ${message}`, key);
  }
  return new StorageError('Unreachable', `DynamoDB failure${name ? ` (${name})` : ''}: ${message}`, key);
}

/** Retry settings: attempts in total and the exponential backoff's base and cap. */
export interface RetryPolicy {
  attempts: number;
  baseMillis: number;
  capMillis: number;
}

/** The default policy, on top of the SDK's three attempts per call. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseMillis: 10, capMillis: 1_000 };

/** Waits a "full jitter" backoff for retry number `attempt` (0-based): uniform in [0, min(cap, base·2^attempt)]. */
export function backoff(attempt: number, policy: RetryPolicy): Promise<void> {
  const ceiling = Math.min(policy.capMillis, policy.baseMillis * 2 ** Math.min(attempt, 30));
  const ms = Math.random() * ceiling;
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `fn`, retrying transient DynamoDB failures with jittered backoff, and
 * translates what finally fails into a StorageError. Only for calls that are
 * safe to repeat (reads, idempotent writes).
 */
export async function withRetries<T>(fn: () => Promise<T>, policy: RetryPolicy, key?: string): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isRetryable(e) || attempt + 1 >= policy.attempts) throw toStorageError(e, key);
      await backoff(attempt, policy);
    }
  }
}
