/**
 * Storage errors, independent of any backend's driver errors. Each backend
 * translates its own failures (SQLite constraint errors, DynamoDB conditional
 * check failures) into these inside itself; the registry turns them into API
 * Status errors once, per verb.
 */

/** The storage error codes, as Kubernetes' storage package names them. */
export type StorageErrorCode =
  'KeyNotFound' | 'KeyExists' | 'Conflict' | 'ResourceExpired' | 'InvalidObject' | 'Unreachable' | 'Timeout';

/** A storage-layer failure with a code the registry maps to an API status. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** True when `e` is a StorageError with the given code. */
export function isStorageError(e: unknown, code?: StorageErrorCode): e is StorageError {
  return e instanceof StorageError && (code === undefined || e.code === code);
}
