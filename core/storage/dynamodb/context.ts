/**
 * What every part of the DynamoDB backend shares: the client, the tables,
 * the retry policy, the clock and the logger. Built once by
 * `createDynamoStore` and passed down as a plain object.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RetryPolicy } from './driver-errors.ts';
import type { DynamoTableNames } from './tables.ts';

/** The logging the backend does (retries, watch failures); pino and Powertools loggers fit it. */
export interface StoreLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** A logger that drops everything. */
export const silentStoreLogger: StoreLogger = { debug() {}, warn() {} };

/** The shared dependencies of the backend's modules. */
export interface DynamoContext {
  doc: DynamoDBDocumentClient;
  tables: DynamoTableNames;
  /** Retries of transient failures (throttling, transaction conflicts) on top of the SDK's. */
  retry: RetryPolicy;
  /** Milliseconds since the epoch; stamps `expiresAt` on log rows and decides which rows count as expired. */
  now: () => number;
  /** How long log rows live (TTL): watches and continue tokens older than this get ResourceExpired. */
  retentionSeconds: number;
  logger: StoreLogger;
  /** Measurements the backend adapts to (mutable). */
  stats: { transactMillis: number };
}
