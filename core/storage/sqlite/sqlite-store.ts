/**
 * The embedded SQLite `Store`: one file (or memory), one connection, used by
 * one process. better-sqlite3 is synchronous, so each verb runs to completion
 * within one tick; a write is one IMMEDIATE transaction (bump the type's
 * revision, write the object, append the log row) and is published to live
 * watches right after it commits, in the same tick. Watches see only writes
 * made through this Store instance (in-process fan-out).
 */
import type Database from 'better-sqlite3';
import type { KubeObject } from '../../api/object.ts';
import { badRequest } from '../../errors/index.ts';
import { StorageError } from '../errors.ts';
import type {
  ListOptions,
  ListResult,
  Preconditions,
  Store,
  StoreEvent,
  StoreKey,
  StoreWatch,
  TryUpdate,
  WatchOptions,
} from '../store.ts';
import { compactionTarget, DEFAULT_RETENTION, type Retention } from './compaction.ts';
import { decodeContinue, encodeContinue } from './continue-token.ts';
import { toStorageError } from './driver-errors.ts';
import { type ListKey, readPage } from './list-page.ts';
import { LogWatch, WatchHub } from './log-watch.ts';
import { type Durability, openDatabase } from './schema.ts';
import { type LogRow, prepareStatements, type Statements } from './statements.ts';
import { type Commit, checkPreconditions, keyString, prepareWrites, requireRow } from './writes.ts';

/** Options of `createSqliteStore`. */
export interface SqliteStoreOptions {
  /** A database file (created if missing) or ':memory:'. */
  path: string;
  /** Log retention; see `compaction.ts` for the rule. */
  compaction?: { keepRevisions?: number; keepMillis?: number; intervalMillis?: number };
  /** The clock stamped on log rows and used for age-based compaction (ms since the epoch). */
  now?: () => number;
  /** 'process-crash' (default: WAL + synchronous=NORMAL) or 'power-loss' (synchronous=FULL); see `schema.ts`. */
  durability?: Durability;
  /** Live events buffered per watch before a lagging watch falls back to reading the log (default 10,000). */
  watchBufferSize?: number;
}

/** Kubernetes' message for a continue token whose revision has been compacted (410 Expired). */
export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
  'without the continue parameter, or use the continue token in this response to retrieve the remainder of the ' +
  'results. Continuing with the provided token results in an inconsistent list - objects that were created, ' +
  'modified, or deleted between the time the first chunk was returned and now may show up in the list.';

const CATCH_UP_BATCH = 500;

/**
 * Opens the SQLite store at `opts.path` and starts its compaction timer
 * (unref'd, so it never keeps the process alive). Throws
 * StorageError('Unreachable') when the file cannot be opened.
 */
export function createSqliteStore(opts: SqliteStoreOptions): Store {
  return new SqliteStore(opts);
}

const tooOld = (requested: number, compacted: number) =>
  new StorageError('ResourceExpired', `too old resource version: ${requested} (${compacted})`);

class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly stmts: Statements;
  private readonly writes: ReturnType<typeof prepareWrites>;
  /** Runs a function inside one read transaction. */
  private readonly snapshot: <T>(fn: () => T) => T;
  private readonly hub = new WatchHub();
  private readonly now: () => number;
  private readonly retention: Retention;
  private readonly bufferSize: number;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;
  private pending: PendingWrite[] = [];
  /** One IMMEDIATE transaction around a batch of writes (each write's own transaction nests as a savepoint). */
  private readonly batchTx: (fn: () => void) => void;

  constructor(opts: SqliteStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.retention = {
      keepRevisions: opts.compaction?.keepRevisions ?? DEFAULT_RETENTION.keepRevisions,
      keepMillis: opts.compaction?.keepMillis ?? DEFAULT_RETENTION.keepMillis,
    };
    this.bufferSize = opts.watchBufferSize ?? 10_000;
    const db = this.run(undefined, () => openDatabase(opts.path, opts.durability ?? 'process-crash'));
    this.db = db;
    this.stmts = this.run(undefined, () => prepareStatements(db));
    this.writes = this.run(undefined, () => prepareWrites(db, this.stmts, this.now));
    const outer = db.transaction((fn: () => void) => fn());
    this.batchTx = (fn) => outer.immediate(fn);
    const readTx = db.transaction((fn: () => unknown) => fn());
    this.snapshot = <T>(fn: () => T) => readTx.deferred(fn) as T;
    this.timer = setInterval(
      () => this.compactExpired(),
      opts.compaction?.intervalMillis ?? DEFAULT_RETENTION.intervalMillis,
    );
    this.timer.unref();
  }

  async get(key: StoreKey): Promise<KubeObject> {
    const k = keyString(key);
    return this.run(k, () => JSON.parse(requireRow(this.stmts, key).body));
  }

  async list(resource: string, options: ListOptions = {}): Promise<ListResult> {
    return this.run(undefined, () => this.listTx(resource, options));
  }

  /** Reads one page inside a read transaction, so the revision and every row come from one snapshot. */
  private listTx(resource: string, options: ListOptions): ListResult {
    return this.snapshot(() => {
      const row = this.stmts.getRevision.get(resource);
      const current = row?.revision ?? 0;
      let revision = current;
      let after: ListKey = { namespace: '', name: '' };
      if (options.continue) {
        const pos = decodeContinue(options.continue);
        if (pos.rev > current) throw badRequest('invalid continue token: its revision is in the future');
        if (pos.rev < (row?.compacted ?? 0)) throw new StorageError('ResourceExpired', CONTINUE_EXPIRED_MESSAGE);
        revision = pos.rev;
        after = pos;
      }
      const page = readPage(this.stmts, {
        resource,
        namespace: options.namespace ?? '',
        revision,
        current,
        after,
        limit: Math.max(0, options.limit ?? 0),
        predicate: options.predicate,
      });
      const result: ListResult = { items: page.items, revision };
      if (page.next) result.continue = encodeContinue({ rev: revision, ...page.next });
      if (page.remaining !== undefined) result.remainingItemCount = page.remaining;
      return result;
    });
  }

  async create(key: StoreKey, obj: KubeObject): Promise<KubeObject> {
    const k = keyString(key);
    if (obj.metadata?.resourceVersion) {
      throw new StorageError('InvalidObject', 'resourceVersion should not be set on objects to be created', k);
    }
    return this.commit(key, k, () => this.writes.create(key, obj));
  }

  async update(key: StoreKey, obj: KubeObject, preconditions?: Preconditions): Promise<KubeObject> {
    const k = keyString(key);
    return this.commit(key, k, () => this.writes.update(key, obj, preconditions));
  }

  async delete(key: StoreKey, preconditions?: Preconditions): Promise<KubeObject> {
    const k = keyString(key);
    return this.commit(key, k, () => this.writes.remove(key, preconditions));
  }

  async guaranteedUpdate(key: StoreKey, tryUpdate: TryUpdate, preconditions?: Preconditions): Promise<KubeObject> {
    const k = keyString(key);
    for (;;) {
      const row = this.run(k, () => requireRow(this.stmts, key));
      const current = this.run(k, () => JSON.parse(row.body) as KubeObject);
      this.run(k, () => checkPreconditions(key, row, preconditions));
      const desired = await tryUpdate(current);
      try {
        return await this.update(key, desired, { resourceVersion: String(row.revision) });
      } catch (e) {
        // Someone wrote in between: read again and re-apply, as Kubernetes' GuaranteedUpdate does.
        if (e instanceof StorageError && e.code === 'Conflict') continue;
        throw e;
      }
    }
  }

  async watch(resource: string, options: WatchOptions): Promise<StoreWatch> {
    const from = options.fromRevision;
    if (!Number.isSafeInteger(from) || from < 0) {
      throw new StorageError('InvalidObject', `invalid watch revision: ${from}`);
    }
    return this.run(undefined, () => {
      const compacted = this.stmts.getRevision.get(resource)?.compacted ?? 0;
      if (from < compacted) throw tooOld(from, compacted);
      const namespace = options.namespace ?? '';
      const watch: LogWatch = new LogWatch({
        namespace,
        fromRevision: from,
        read: (after, limit) => this.readLog(resource, namespace, after, limit),
        bufferSize: this.bufferSize,
        batchSize: CATCH_UP_BATCH,
        onEnd: () => this.hub.remove(resource, watch),
      });
      this.hub.add(resource, watch);
      return watch;
    });
  }

  async currentRevision(resource: string): Promise<number> {
    return this.run(undefined, () => this.stmts.getRevision.get(resource)?.revision ?? 0);
  }

  async compact(resource: string, revision: number): Promise<void> {
    this.run(undefined, () => this.writes.compact(resource, revision));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.hub.stopAll();
    this.db.close();
  }

  /** Catch-up read of a watch: log rows after `after`, unless compaction already dropped some of them. */
  private readLog(resource: string, namespace: string, after: number, limit: number): StoreEvent[] {
    return this.run(undefined, () => {
      const compacted = this.stmts.getRevision.get(resource)?.compacted ?? 0;
      if (after < compacted) throw tooOld(after, compacted);
      const rows = namespace
        ? this.stmts.logAfterInNamespace.all(resource, after, namespace, limit)
        : this.stmts.logAfter.all(resource, after, limit);
      return rows.map(toEvent);
    });
  }

  /** The timer's pass: compacts every type past its retention (see `compaction.ts`). */
  private compactExpired(): void {
    if (this.closed) return;
    try {
      const cutoff = this.now() - this.retention.keepMillis;
      for (const row of this.stmts.allRevisions.all()) {
        const firstFresh = this.stmts.firstLogSince.get(row.resource, cutoff);
        const newestExpired = firstFresh === undefined ? row.revision : firstFresh - 1;
        const target = compactionTarget(row.revision, newestExpired, this.retention);
        if (target > row.compacted) this.writes.compact(row.resource, target);
      }
    } catch {
      // A busy or failing database fails the writes that matter and is
      // reported there; the next pass retries the compaction.
    }
  }

  /** Runs `fn` against the open database, translating every failure into a StorageError. */
  private run<T>(key: string | undefined, fn: () => T): T {
    if (this.closed) throw new StorageError('Unreachable', 'the store is closed', key);
    try {
      return fn();
    } catch (e) {
      throw toStorageError(e, key);
    }
  }

  /**
   * Queues a write for the next group commit. Writes that arrive in the same
   * turn of the event loop (concurrent API requests) share one SQLite
   * transaction, each inside its own savepoint, so one write failing (a
   * conflict) never affects another, and the commit cost is paid once per
   * batch instead of once per write. A write is acknowledged (the promise
   * resolves) only after its batch has committed.
   */
  private commit(key: StoreKey, k: string, tx: () => Commit): Promise<KubeObject> {
    if (this.closed) return Promise.reject(new StorageError('Unreachable', 'the store is closed', k));
    return new Promise((resolve, reject) => {
      this.pending.push({ key, k, tx, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits every queued write in one transaction, then publishes the changes to watches in revision order. */
  private flush(): void {
    const ops = this.pending.splice(0);
    if (ops.length === 0) return;
    const outcomes: (Commit | { error: unknown })[] = [];
    try {
      this.run(undefined, () =>
        this.batchTx(() => {
          for (const op of ops) {
            try {
              outcomes.push(op.tx());
            } catch (error) {
              outcomes.push({ error });
            }
          }
        }),
      );
    } catch (e) {
      for (const op of ops) op.reject(toStorageError(e, op.k));
      return;
    }
    for (const [i, op] of ops.entries()) {
      const c = outcomes[i];
      if ('error' in c) {
        op.reject(toStorageError(c.error, op.k));
        continue;
      }
      const type = c.type;
      if (type) {
        this.hub.publish(op.key.resource, op.key.namespace, () => {
          const event: StoreEvent = { type, object: JSON.parse(c.body), revision: c.revision };
          if (c.prevBody !== null) event.prevObject = JSON.parse(c.prevBody);
          return event;
        });
      }
      op.resolve(JSON.parse(c.body));
    }
  }
}

/** A write waiting for the next group commit. */
interface PendingWrite {
  key: StoreKey;
  k: string;
  tx: () => Commit;
  resolve: (obj: KubeObject) => void;
  reject: (e: unknown) => void;
}

function toEvent(row: LogRow): StoreEvent {
  const event: StoreEvent = { type: row.type, object: JSON.parse(row.body), revision: row.revision };
  if (row.prev_body !== null) event.prevObject = JSON.parse(row.prev_body);
  return event;
}
