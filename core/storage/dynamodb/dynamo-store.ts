/**
 * The DynamoDB `Store`: objects in one table, the per-type revision log in
 * another (see `tables.ts` and README.md). Every write is one
 * TransactWriteItems of the object and its log row (`writes.ts`); reads that decide revisions or
 * conditions are strongly consistent; watches poll the log in process
 * (`watch.ts`); later list pages are rebuilt from the log (`list.ts`).
 * Several stores (processes, Lambdas) may share the tables: all coordination
 * goes through conditional writes, and watches see every store's writes.
 */
import { isDeepStrictEqual } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { clone, type KubeObject } from '../../api/object.ts';
import { StorageError } from '../errors.ts';
import type {
  ListOptions,
  ListResult,
  Preconditions,
  Store,
  StoreKey,
  StoreWatch,
  TryUpdate,
  WatchOptions,
} from '../store.ts';
import { checkPreconditions, encodeBody, isExpired, itemBody, keyString, stamp } from './codec.ts';
import { type ConsumedCapacityHook, reportConsumedCapacity } from './consumed-capacity.ts';
import { type DynamoContext, type StoreLogger, silentStoreLogger } from './context.ts';
import { DEFAULT_RETRY, type RetryPolicy, toStorageError, withRetries } from './driver-errors.ts';
import { listPage } from './list.ts';
import { compactLog, latestRevision, readHead, readLogRow, tooOld } from './log.ts';
import { ATTR, type DynamoTableNames, objectSortKey, tableNames } from './tables.ts';
import { FeedHub } from './watch.ts';
import { commit, type StoredObject, type WriteOp } from './writes.ts';

/** Options of `createDynamoStore`. */
export interface DynamoStoreOptions {
  /** A client to use (the store never destroys it); otherwise one is built from the fields below. */
  client?: DynamoDBClient;
  /** The DynamoDB endpoint (DynamoDB Local, LocalStack); omitted means AWS's regional endpoint. */
  endpoint?: string;
  /** Omitted: the SDK's default chain (AWS_REGION in Lambda). */
  region?: string;
  /** Omitted: the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Tables `<tablePrefix>-objects` and `<tablePrefix>-log`, unless `tables` names them. */
  tablePrefix?: string;
  tables?: DynamoTableNames;
  /** Log row lifetime (default 300 s, like the apiserver's etcd compaction interval). */
  logRetentionSeconds?: number;
  /** How often a watched type's log is polled when this store did not just write it (default 100 ms). */
  watchPollMillis?: number;
  /** Events queued per watch for a slow consumer before it re-reads from the log (default 10,000). */
  watchBufferSize?: number;
  retry?: Partial<RetryPolicy>;
  /** Milliseconds since the epoch (log expiry); default Date.now. */
  now?: () => number;
  logger?: StoreLogger;
  /** When set, every DynamoDB call asks for and reports its consumed capacity (see `consumed-capacity.ts`). */
  onConsumedCapacity?: ConsumedCapacityHook;
}

/** What a write decides after reading the current object: a write, or nothing to do. */
type Decision = { op: WriteOp } | { same: KubeObject };

/** The highest number of times one write re-reads an object that keeps changing under it before giving up. */
const MAX_STALE_READS = 100;

/**
 * Builds a Store over existing tables (create them with `createDynamoTables`
 * outside AWS). Does no I/O until first used. Throws when neither `tables`
 * nor `tablePrefix` is given.
 */
export function createDynamoStore(opts: DynamoStoreOptions): Store {
  const tables = opts.tables ?? (opts.tablePrefix ? tableNames(opts.tablePrefix) : undefined);
  if (!tables) throw new Error('createDynamoStore needs `tables` or `tablePrefix`');
  const owned = !opts.client;
  const client =
    opts.client ?? new DynamoDBClient({ endpoint: opts.endpoint, region: opts.region, credentials: opts.credentials });
  const ctx: DynamoContext = {
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    tables,
    retry: { ...DEFAULT_RETRY, ...opts.retry },
    now: opts.now ?? Date.now,
    retentionSeconds: opts.logRetentionSeconds ?? 300,
    logger: opts.logger ?? silentStoreLogger,
    stats: { transactMillis: 20 },
  };
  if (opts.onConsumedCapacity) reportConsumedCapacity(ctx.doc, opts.onConsumedCapacity, ctx.logger);
  return new DynamoStore(ctx, owned ? client : undefined, opts.watchPollMillis ?? 100, opts.watchBufferSize ?? 10_000);
}

class DynamoStore implements Store {
  private readonly hub: FeedHub;
  private closed = false;
  /** Per resource type, the tail of this store's queue of commits (see `commitInLane`). */
  private readonly lanes = new Map<string, Promise<unknown>>();
  /** Per resource type, the highest revision this store committed or saw (a lower bound of the latest). */
  private readonly known = new Map<string, number>();

  constructor(
    private readonly ctx: DynamoContext,
    private readonly ownedClient: DynamoDBClient | undefined,
    pollMillis: number,
    bufferSize: number,
  ) {
    this.hub = new FeedHub(ctx, pollMillis, bufferSize);
  }

  async get(key: StoreKey): Promise<KubeObject> {
    return this.guard(key, async () => (await this.require(key)).obj);
  }

  async list(resource: string, options: ListOptions = {}): Promise<ListResult> {
    return this.guard(undefined, () => listPage(this.ctx, resource, options));
  }

  async create(key: StoreKey, obj: KubeObject): Promise<KubeObject> {
    return this.guard(key, async () => {
      if (obj.metadata?.resourceVersion) {
        throw new StorageError(
          'InvalidObject',
          'resourceVersion should not be set on objects to be created',
          keyString(key),
        );
      }
      encodeBody(obj, key); // reject oversized objects before any I/O
      const latest = await latestRevision(this.ctx, key.resource);
      const out = await this.commitInLane(key, { kind: 'create', obj }, latest);
      if ('stale' in out) throw new StorageError('KeyExists', `key exists: ${keyString(key)}`, keyString(key));
      this.hub.poke(key.resource);
      return out.object;
    });
  }

  async update(key: StoreKey, obj: KubeObject, preconditions?: Preconditions): Promise<KubeObject> {
    return this.write(key, async (current) => {
      checkPreconditions(key, current.obj, preconditions);
      return unchanged(key, obj, current) ? { same: current.obj } : { op: { kind: 'update', obj, current } };
    });
  }

  async delete(key: StoreKey, preconditions?: Preconditions): Promise<KubeObject> {
    return this.write(key, async (current) => {
      checkPreconditions(key, current.obj, preconditions);
      return { op: { kind: 'delete', current } };
    });
  }

  async guaranteedUpdate(key: StoreKey, tryUpdate: TryUpdate, preconditions?: Preconditions): Promise<KubeObject> {
    return this.write(key, async (current) => {
      checkPreconditions(key, current.obj, preconditions);
      let desired: KubeObject;
      try {
        desired = await tryUpdate(clone(current.obj));
      } catch (e) {
        throw new PassThrough(e);
      }
      return unchanged(key, desired, current)
        ? { same: current.obj }
        : { op: { kind: 'update', obj: desired, current } };
    });
  }

  async watch(resource: string, options: WatchOptions): Promise<StoreWatch> {
    return this.guard(undefined, async () => {
      const from = options.fromRevision;
      if (!Number.isSafeInteger(from) || from < 0) {
        throw new StorageError('InvalidObject', `invalid watch revision: ${from}`);
      }
      const head = await readHead(this.ctx, resource);
      if (from < head.compacted) throw tooOld(from, head.compacted);
      if (from < head.revision) {
        // Rows age out oldest first, so the first one needed tells whether the log still covers `from`.
        const first = await readLogRow(this.ctx, resource, from + 1);
        if (!first || isExpired(first, this.ctx.now())) throw tooOld(from, from + 1);
      }
      if (this.closed) throw new StorageError('Unreachable', 'the store is closed');
      return this.hub.open(resource, options.namespace ?? '', from);
    });
  }

  async currentRevision(resource: string): Promise<number> {
    return this.guard(undefined, () => latestRevision(this.ctx, resource));
  }

  async compact(resource: string, revision: number): Promise<void> {
    return this.guard(undefined, () => compactLog(this.ctx, resource, revision));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.stopAll();
    this.ownedClient?.destroy();
  }

  /**
   * The read-decide-commit loop of update, delete and guaranteedUpdate:
   * `decide` sees the current object and returns the write (or the object
   * itself when nothing changes); when the object changes before the commit,
   * it is read again and `decide` runs again.
   */
  private write(key: StoreKey, decide: (current: StoredObject) => Promise<Decision>): Promise<KubeObject> {
    return this.guard(key, async () => {
      for (let round = 0; round < MAX_STALE_READS; round++) {
        const [current, latest] = await Promise.all([this.require(key), latestRevision(this.ctx, key.resource)]);
        const d = await decide(current);
        if ('same' in d) return d.same;
        const out = await this.commitInLane(key, d.op, latest);
        if ('stale' in out) continue;
        this.hub.poke(key.resource);
        return out.object;
      }
      throw new StorageError('Timeout', `gave up writing ${keyString(key)}: it kept changing`, keyString(key));
    });
  }

  /**
   * Commits `op` after this store's earlier commits of the same type, at
   * least one revision past every revision it knows. Writers of one type in
   * one process would otherwise race each other for the same next revision
   * (only one can create its log row; the rest back off and retry), which
   * under 16 concurrent writers costs more round trips than it overlaps.
   * Other processes still race, and the log row's condition decides.
   */
  private async commitInLane(key: StoreKey, op: WriteOp, latest: number): ReturnType<typeof commit> {
    const resource = key.resource;
    const run = async () => {
      const out = await commit(this.ctx, key, op, Math.max(latest, this.known.get(resource) ?? 0));
      if ('revision' in out) this.known.set(resource, Math.max(out.revision, this.known.get(resource) ?? 0));
      return out;
    };
    const result = (this.lanes.get(resource) ?? Promise.resolve()).then(run);
    const tail = result.catch(() => undefined);
    this.lanes.set(resource, tail);
    try {
      return await result;
    } finally {
      if (this.lanes.get(resource) === tail) this.lanes.delete(resource);
    }
  }

  /** Reads an object, strongly consistent. Throws KeyNotFound. */
  private async require(key: StoreKey): Promise<StoredObject> {
    const out = await withRetries(
      () =>
        this.ctx.doc.send(
          new GetCommand({
            TableName: this.ctx.tables.objects,
            Key: { [ATTR.pk]: key.resource, [ATTR.sk]: objectSortKey(key.namespace, key.name) },
            ConsistentRead: true,
          }),
        ),
      this.ctx.retry,
      keyString(key),
    );
    if (!out.Item) throw new StorageError('KeyNotFound', `key not found: ${keyString(key)}`, keyString(key));
    const body = itemBody(out.Item);
    return { obj: JSON.parse(body) as KubeObject, body, revision: Number(out.Item[ATTR.revision]) };
  }

  /** Runs a verb on an open store, translating every failure into a StorageError. */
  private async guard<T>(key: StoreKey | undefined, fn: () => Promise<T>): Promise<T> {
    const k = key && keyString(key);
    if (this.closed) throw new StorageError('Unreachable', 'the store is closed', k);
    try {
      return await fn();
    } catch (e) {
      if (e instanceof PassThrough) throw e.error;
      throw toStorageError(e, k);
    }
  }
}

/** Carries what a caller's `tryUpdate` threw through `guard` untranslated. */
class PassThrough {
  constructor(readonly error: unknown) {}
}

/** True when writing `obj` over `current` would change nothing but the resourceVersion. */
function unchanged(key: StoreKey, obj: KubeObject, current: StoredObject): boolean {
  const body = encodeBody(stamp(obj, current.revision), key);
  return body === current.body || isDeepStrictEqual(JSON.parse(body), current.obj);
}
