/**
 * Shared plumbing of the Store conformance suite: the per-test harness,
 * awaiting with a deadline (never fixed sleeps), and reading watches.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import { StorageError, type StorageErrorCode } from '../../../core/storage/errors.ts';
import type { Store, StoreEvent, StoreKey, StoreWatch } from '../../../core/storage/store.ts';
import { keyOf, makeObject, type ObjectSpec } from '../../fixtures/store-objects.ts';

/**
 * What a backend hands the suite for one test: a fresh, empty store.
 * `reopen` opens a new Store over the same data after the suite has closed
 * `store` (a restart); `cleanup` closes whichever store is open and removes
 * the data.
 */
export interface StoreHarness {
  store: Store;
  reopen?: () => Promise<Store>;
  cleanup: () => Promise<void>;
}

/** Builds a fresh harness per test. */
export type MakeStore = () => Promise<StoreHarness>;

/** How long an expected event or result may take before the test fails. */
export const DEADLINE_MS = 5_000;

/** The per-test store, (re)created around every test of the describe block that builds it. */
export class StoreContext {
  private harness?: StoreHarness;
  private current?: Store;

  constructor(make: MakeStore) {
    beforeEach(async () => {
      this.harness = await make();
      this.current = this.harness.store;
    });
    afterEach(async () => {
      const h = this.harness;
      this.harness = undefined;
      this.current = undefined;
      await h?.cleanup();
    });
  }

  /** The store of the running test. */
  get store(): Store {
    if (!this.current) throw new Error('no store: used outside a test');
    return this.current;
  }

  /** Closes the store and opens a new one over the same data. */
  async restart(): Promise<Store> {
    const reopen = this.harness?.reopen;
    if (!reopen) throw new Error('this harness cannot reopen its store');
    await this.store.close();
    this.current = await reopen();
    return this.current;
  }

  /** Creates an object in `resource` from a spec and returns the stored object. */
  async put(resource: string, spec: ObjectSpec): Promise<KubeObject> {
    const obj = makeObject(spec);
    return this.store.create(keyOf(resource, obj), obj);
  }
}

/** Resolves `p`, or fails with `what` after `ms`. */
export async function within<T>(p: Promise<T>, what: string, ms = DEADLINE_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts that `p` rejects with a StorageError of `code` and returns it. */
export async function expectStorageError(p: Promise<unknown>, code: StorageErrorCode): Promise<StorageError> {
  const outcome = await p.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected StorageError(${code}), got a result`);
  expect(outcome.error).toBeInstanceOf(StorageError);
  expect((outcome.error as StorageError).code).toBe(code);
  return outcome.error as StorageError;
}

/** Pull-style reading of a watch with deadlines. */
export class WatchReader {
  private readonly it: AsyncIterator<StoreEvent>;

  constructor(readonly watch: StoreWatch) {
    this.it = watch[Symbol.asyncIterator]();
  }

  /** The next event; fails if the watch ends or nothing arrives in time. */
  async next(): Promise<StoreEvent> {
    const r = await within(this.it.next(), 'a watch event');
    if (r.done) throw new Error('the watch ended while an event was expected');
    return r.value;
  }

  /** The next `n` events. */
  async take(n: number): Promise<StoreEvent[]> {
    const out: StoreEvent[] = [];
    while (out.length < n) out.push(await this.next());
    return out;
  }

  /** What the next `next()` settles to (done, an event, or a rejection). */
  raw(): Promise<IteratorResult<StoreEvent>> {
    return within(this.it.next(), 'the watch to settle');
  }
}

/** Opens a watch and wraps it in a reader. */
export async function watchFrom(
  store: Store,
  resource: string,
  fromRevision: number,
  namespace?: string,
): Promise<WatchReader> {
  return new WatchReader(await store.watch(resource, { fromRevision, namespace }));
}

/** The revision a stored object carries. */
export const rv = (obj: KubeObject): number => Number(obj.metadata.resourceVersion);

/** A key in `resource`. */
export const key = (resource: string, name: string, namespace = ''): StoreKey => ({ resource, namespace, name });

/** Writes a sentinel change and reads events up to it; the events before it prove what else the watch held. */
export async function drainUntilSentinel(
  store: Store,
  reader: WatchReader,
  resource: string,
  namespace = '',
): Promise<StoreEvent[]> {
  const name = `sentinel-${Math.random().toString(36).slice(2)}`;
  const sentinel = await store.create(key(resource, name, namespace), makeObject({ name, namespace }));
  const seen: StoreEvent[] = [];
  for (;;) {
    const e = await reader.next();
    if (e.revision === rv(sentinel)) return seen;
    seen.push(e);
  }
}
