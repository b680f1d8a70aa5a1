/**
 * Translation of better-sqlite3 failures into storage errors: the one place
 * that knows SQLite's result codes, so no driver error leaves the backend.
 */
import Database from 'better-sqlite3';
import { StatusError } from '../../errors/index.ts';
import { StorageError } from '../errors.ts';

/** An object that cannot be encoded as JSON (a cycle, a BigInt) is rejected before it reaches SQLite. */
export function encodeBody(obj: unknown, key: string): string {
  try {
    return JSON.stringify(obj);
  } catch (e) {
    throw new StorageError('InvalidObject', `cannot encode object: ${(e as Error).message}`, key);
  }
}

/**
 * Maps any failure inside the backend to a StorageError. StorageErrors and
 * StatusErrors (a malformed continue token) pass through unchanged.
 */
export function toStorageError(e: unknown, key?: string): StorageError | StatusError {
  if (e instanceof StorageError || e instanceof StatusError) return e;
  if (e instanceof Database.SqliteError) {
    const code = e.code;
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new StorageError('Timeout', `storage is busy: ${e.message}`, key);
    }
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
      return new StorageError('KeyExists', 'key exists', key);
    }
    if (code === 'SQLITE_TOOBIG' || code.startsWith('SQLITE_CONSTRAINT')) {
      return new StorageError('InvalidObject', `object rejected by storage: ${e.message}`, key);
    }
    return new StorageError('Unreachable', `storage failure (${code}): ${e.message}`, key);
  }
  if (e instanceof SyntaxError) {
    return new StorageError('InvalidObject', `stored object is not valid JSON: ${e.message}`, key);
  }
  // better-sqlite3 throws TypeError/RangeError for a closed connection and
  // misuse; neither is the caller's object at fault.
  const message = e instanceof Error ? e.message : String(e);
  return new StorageError('Unreachable', `storage failure: ${message}`, key);
}
