/**
 * The prepared statements of the SQLite store, compiled once per connection.
 */
import type Database from 'better-sqlite3';
import type { StoreEventType } from '../store.ts';

/** A row of `objects`. */
export interface ObjectRow {
  namespace: string;
  name: string;
  revision: number;
  body: string;
}

/** A row of `log`. */
export interface LogRow {
  revision: number;
  type: StoreEventType;
  namespace: string;
  name: string;
  body: string;
  prev_body: string | null;
}

/** The first log row after a revision for one key, and whether the key exists now. */
export interface ChangedRow {
  namespace: string;
  name: string;
  revision: number;
  prev_body: string | null;
  present: 0 | 1;
}

/** A row of `revisions`. */
export interface RevisionRow {
  resource: string;
  revision: number;
  compacted: number;
}

/** Compiles every statement the store uses against `db`. */
export function prepareStatements(db: Database.Database) {
  return {
    getObject: db.prepare<[string, string, string], ObjectRow>(
      'SELECT namespace, name, revision, body FROM objects WHERE resource = ? AND namespace = ? AND name = ?',
    ),
    insertObject: db.prepare<[string, string, string, number, string]>(
      'INSERT INTO objects (resource, namespace, name, revision, body) VALUES (?, ?, ?, ?, ?)',
    ),
    updateObject: db.prepare<[number, string, string, string, string]>(
      'UPDATE objects SET revision = ?, body = ? WHERE resource = ? AND namespace = ? AND name = ?',
    ),
    deleteObject: db.prepare<[string, string, string]>(
      'DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?',
    ),
    /** Rows after (namespace, name) across every namespace, in list order. */
    objectsAfter: db.prepare<[string, string, string], ObjectRow>(
      `SELECT namespace, name, revision, body FROM objects
       WHERE resource = ? AND (namespace, name) > (?, ?) ORDER BY namespace, name`,
    ),
    /** Rows after `name` within one namespace, in list order. */
    objectsAfterInNamespace: db.prepare<[string, string, string], ObjectRow>(
      `SELECT namespace, name, revision, body FROM objects
       WHERE resource = ? AND namespace = ? AND name > ? ORDER BY name`,
    ),
    countAfter: db
      .prepare<[string, string, string], number>(
        'SELECT COUNT(*) FROM objects WHERE resource = ? AND (namespace, name) > (?, ?)',
      )
      .pluck(),
    countAfterInNamespace: db
      .prepare<[string, string, string], number>(
        'SELECT COUNT(*) FROM objects WHERE resource = ? AND namespace = ? AND name > ?',
      )
      .pluck(),
    /** Keys written after a revision, each with its first later log row (ordered by key, then revision). */
    changedSince: db.prepare<[string, number, string, string], ChangedRow>(
      `SELECT l.namespace, l.name, l.revision, l.prev_body, (o.name IS NOT NULL) AS present
       FROM log l LEFT JOIN objects o
         ON o.resource = l.resource AND o.namespace = l.namespace AND o.name = l.name
       WHERE l.resource = ? AND l.revision > ? AND (l.namespace, l.name) > (?, ?)
       ORDER BY l.namespace, l.name, l.revision`,
    ),
    changedSinceInNamespace: db.prepare<[string, number, string, string], ChangedRow>(
      `SELECT l.namespace, l.name, l.revision, l.prev_body, (o.name IS NOT NULL) AS present
       FROM log l LEFT JOIN objects o
         ON o.resource = l.resource AND o.namespace = l.namespace AND o.name = l.name
       WHERE l.resource = ? AND l.revision > ? AND l.namespace = ? AND l.name > ?
       ORDER BY l.name, l.revision`,
    ),
    /** Increments (or starts at 1) a type's revision and returns the new value. */
    bumpRevision: db
      .prepare<[string], number>(
        `INSERT INTO revisions (resource, revision) VALUES (?, 1)
         ON CONFLICT (resource) DO UPDATE SET revision = revision + 1 RETURNING revision`,
      )
      .pluck(),
    getRevision: db.prepare<[string], RevisionRow>(
      'SELECT resource, revision, compacted FROM revisions WHERE resource = ?',
    ),
    allRevisions: db.prepare<[], RevisionRow>('SELECT resource, revision, compacted FROM revisions'),
    setCompacted: db.prepare<[number, string]>('UPDATE revisions SET compacted = ? WHERE resource = ?'),
    insertLog: db.prepare<[string, number, StoreEventType, string, string, string, string | null, number]>(
      `INSERT INTO log (resource, revision, type, namespace, name, body, prev_body, ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    logAfter: db.prepare<[string, number, number], LogRow>(
      `SELECT revision, type, namespace, name, body, prev_body FROM log
       WHERE resource = ? AND revision > ? ORDER BY revision LIMIT ?`,
    ),
    logAfterInNamespace: db.prepare<[string, number, string, number], LogRow>(
      `SELECT revision, type, namespace, name, body, prev_body FROM log
       WHERE resource = ? AND revision > ? AND namespace = ? ORDER BY revision LIMIT ?`,
    ),
    deleteLogThrough: db.prepare<[string, number]>('DELETE FROM log WHERE resource = ? AND revision <= ?'),
    /**
     * The oldest revision of a type written at or after a time (the age cutoff of compaction).
     * Walks the log from its oldest row, so it costs about as many rows as compaction drops.
     */
    firstLogSince: db
      .prepare<[string, number], number>(
        'SELECT revision FROM log WHERE resource = ? AND ts >= ? ORDER BY revision LIMIT 1',
      )
      .pluck(),
  };
}

/** The statements of one connection. */
export type Statements = ReturnType<typeof prepareStatements>;
