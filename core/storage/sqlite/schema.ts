/**
 * The SQLite schema of the embedded store and how a database file is opened.
 *
 * - `objects`: the current state, one row per key, ordered by (namespace, name)
 *   within a resource so lists and pages are index range scans.
 * - `revisions`: one counter per resource type (the watch domain) and the
 *   revision the type's log was compacted to. Rows are never deleted, so
 *   revisions never go backwards, even after every object of a type is gone.
 * - `log`: one row per write (the revision log), with the body after and
 *   before the change; watches replay it, and paginated lists use the prev
 *   bodies to rebuild the state at the first page's revision.
 */
import Database from 'better-sqlite3';
import { StorageError } from '../errors.ts';

/** The schema version this code writes (`PRAGMA user_version`). */
export const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS objects (
  resource  TEXT    NOT NULL,
  namespace TEXT    NOT NULL,
  name      TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  body      TEXT    NOT NULL,
  PRIMARY KEY (resource, namespace, name)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS revisions (
  resource  TEXT    NOT NULL PRIMARY KEY,
  revision  INTEGER NOT NULL,
  compacted INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS log (
  resource  TEXT    NOT NULL,
  revision  INTEGER NOT NULL,
  type      TEXT    NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
  namespace TEXT    NOT NULL,
  name      TEXT    NOT NULL,
  body      TEXT    NOT NULL,
  prev_body TEXT,
  ts        INTEGER NOT NULL,
  PRIMARY KEY (resource, revision)
) WITHOUT ROWID;
`;

/** How hard each commit is pushed to disk; see `openDatabase`. */
export type Durability = 'process-crash' | 'power-loss';

/**
 * Opens (creating if needed) a store database at `path` (a file, or ':memory:').
 * Throws StorageError('Unreachable') when the file cannot be opened or carries
 * a newer schema than this code knows.
 */
export function openDatabase(path: string, durability: Durability): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    // In WAL mode a commit appends to the WAL with write(2) before returning,
    // so once a write is acknowledged it lives in the OS page cache and
    // survives the death of this process (kill -9, crash, OOM): NORMAL meets
    // "no acknowledged write is lost on restart or process crash". It does
    // not fsync per commit, so an OS crash or power loss may roll back the
    // last few commits (the database stays consistent); FULL closes that gap
    // at the price of one fsync per write, which would dominate the write and
    // watch latency of a local cluster. Callers that need it choose
    // 'power-loss'.
    db.pragma(durability === 'power-loss' ? 'synchronous = FULL' : 'synchronous = NORMAL');
    // Another process holding the write lock (a second skube on the same
    // file, a backup) makes writers wait this long before SQLITE_BUSY.
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StorageError(
        'Unreachable',
        `store schema version ${version} is newer than supported ${SCHEMA_VERSION}`,
      );
    }
    db.exec(DDL);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
