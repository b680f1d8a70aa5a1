/**
 * The write transactions of the SQLite store. Each runs as one IMMEDIATE
 * transaction (the write lock is taken up front, so two processes on one
 * file never deadlock upgrading a read lock): check the key and the
 * preconditions, bump the type's revision, write the object stamped with
 * that revision, append the log row with the bodies after and before.
 */
import { isDeepStrictEqual } from 'node:util';
import type Database from 'better-sqlite3';
import type { KubeObject } from '../../api/object.ts';
import { StorageError } from '../errors.ts';
import type { Preconditions, StoreEventType, StoreKey } from '../store.ts';
import { encodeBody } from './driver-errors.ts';
import type { ObjectRow, Statements } from './statements.ts';

/** The outcome of a write: what was committed, or (no `type`) the unchanged stored body. */
export interface Commit {
  type?: StoreEventType;
  revision: number;
  body: string;
  prevBody: string | null;
}

/** The printable form of a key, used in messages and StorageError.key. */
export const keyString = (k: StoreKey) => `/${k.resource}/${k.namespace ? `${k.namespace}/` : ''}${k.name}`;

/**
 * Builds the write transactions over one connection. They throw
 * StorageError('KeyExists' | 'KeyNotFound' | 'Conflict' | 'InvalidObject');
 * driver failures propagate for the caller to translate.
 */
export function prepareWrites(db: Database.Database, stmts: Statements, now: () => number) {
  const bump = (resource: string) => stmts.bumpRevision.get(resource)!;

  const create = db.transaction((key: StoreKey, obj: KubeObject): Commit => {
    const { resource, namespace, name } = key;
    if (stmts.getObject.get(resource, namespace, name)) {
      throw new StorageError('KeyExists', `key exists: ${keyString(key)}`, keyString(key));
    }
    const revision = bump(resource);
    const body = encodeBody(stamp(obj, revision), keyString(key));
    stmts.insertObject.run(resource, namespace, name, revision, body);
    stmts.insertLog.run(resource, revision, 'ADDED', namespace, name, body, null, now());
    return { type: 'ADDED', revision, body, prevBody: null };
  });

  const update = db.transaction((key: StoreKey, obj: KubeObject, pre?: Preconditions): Commit => {
    const { resource, namespace, name } = key;
    const row = requireRow(stmts, key);
    checkPreconditions(key, row, pre);
    const unchanged = encodeBody(stamp(obj, row.revision), keyString(key));
    // Key order may differ between equal objects, so fall back to a structural comparison.
    if (unchanged === row.body || isDeepStrictEqual(JSON.parse(unchanged), JSON.parse(row.body))) {
      return { revision: row.revision, body: row.body, prevBody: row.body };
    }
    const revision = bump(resource);
    const body = encodeBody(stamp(obj, revision), keyString(key));
    stmts.updateObject.run(revision, body, resource, namespace, name);
    stmts.insertLog.run(resource, revision, 'MODIFIED', namespace, name, body, row.body, now());
    return { type: 'MODIFIED', revision, body, prevBody: row.body };
  });

  const remove = db.transaction((key: StoreKey, pre?: Preconditions): Commit => {
    const { resource, namespace, name } = key;
    const row = requireRow(stmts, key);
    checkPreconditions(key, row, pre);
    const revision = bump(resource);
    const body = encodeBody(stamp(JSON.parse(row.body), revision), keyString(key));
    stmts.deleteObject.run(resource, namespace, name);
    stmts.insertLog.run(resource, revision, 'DELETED', namespace, name, body, row.body, now());
    return { type: 'DELETED', revision, body, prevBody: row.body };
  });

  /** Drops log rows at or below `revision` (clamped to the current revision) and records it. */
  const compact = db.transaction((resource: string, revision: number): void => {
    const row = stmts.getRevision.get(resource);
    if (!row) return;
    const target = Math.min(revision, row.revision);
    if (target <= row.compacted) return;
    stmts.deleteLogThrough.run(resource, target);
    stmts.setCompacted.run(target, resource);
  });

  return { create: create.immediate, update: update.immediate, remove: remove.immediate, compact: compact.immediate };
}

/** Reads a key's row or throws StorageError('KeyNotFound'). */
export function requireRow(stmts: Statements, key: StoreKey): ObjectRow {
  const row = stmts.getObject.get(key.resource, key.namespace, key.name);
  if (!row) throw new StorageError('KeyNotFound', `key not found: ${keyString(key)}`, keyString(key));
  return row;
}

/** Throws StorageError('Conflict') unless the stored row meets `pre` (empty fields are unset). */
export function checkPreconditions(key: StoreKey, row: ObjectRow, pre?: Preconditions): void {
  if (pre?.resourceVersion && pre.resourceVersion !== String(row.revision)) {
    throw new StorageError(
      'Conflict',
      `Precondition failed: resourceVersion in precondition: ${pre.resourceVersion}, resourceVersion in object meta: ${row.revision}`,
      keyString(key),
    );
  }
  if (pre?.uid) {
    const uid = (JSON.parse(row.body) as KubeObject).metadata?.uid;
    if (uid !== pre.uid) {
      throw new StorageError(
        'Conflict',
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uid ?? ''}`,
        keyString(key),
      );
    }
  }
}

function stamp(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}
