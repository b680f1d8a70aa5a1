/**
 * The SQLite store against the conformance suite (a temp file with restarts,
 * and ':memory:'), plus what only SQLite has: the compaction timer, lagging
 * watchers and crash safety.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isStorageError } from '../../../core/storage/errors.ts';
import { createSqliteStore, type SqliteStoreOptions } from '../../../core/storage/sqlite/sqlite-store.ts';
import type { Store } from '../../../core/storage/store.ts';
import { drainUntilSentinel, expectStorageError, key, WatchReader, within } from '../../conformance/store/context.ts';
import { runStoreConformance, type StoreHarness } from '../../conformance/store.ts';
import { makeObject } from '../../fixtures/store-objects.ts';

const W = 'widgets';
const CRASH_CHILD = fileURLToPath(new URL('./sqlite-crash-child.ts', import.meta.url));

/** A store on a fresh temp file; `reopen` opens the same file again. */
async function tempFileHarness(): Promise<StoreHarness & { dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'skube-sqlite-'));
  const path = join(dir, 'store.db');
  let store: Store = createSqliteStore({ path });
  return {
    dir,
    store,
    reopen: async () => {
      store = createSqliteStore({ path });
      return store;
    },
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

runStoreConformance('sqlite (file)', tempFileHarness);

runStoreConformance(
  'sqlite (:memory:)',
  async () => {
    const store = createSqliteStore({ path: ':memory:' });
    return { store, cleanup: () => store.close() };
  },
  { restart: false },
);

describe('createSqliteStore', () => {
  let harness: (StoreHarness & { dir: string }) | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await harness?.cleanup();
    harness = undefined;
  });

  /** A file store with its own options; cleaned up after the test. */
  async function open(opts: Omit<SqliteStoreOptions, 'path'>): Promise<Store> {
    const dir = await mkdtemp(join(tmpdir(), 'skube-sqlite-'));
    const store = createSqliteStore({ path: join(dir, 'store.db'), ...opts });
    harness = {
      dir,
      store,
      cleanup: async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
    return store;
  }

  const put = (store: Store, name: string) => store.create(key(W, name, 'ns1'), makeObject({ name, namespace: 'ns1' }));

  describe('compaction timer', () => {
    it('keeps at most keepRevisions log rows per type', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const store = await open({ compaction: { keepRevisions: 3, keepMillis: 3_600_000, intervalMillis: 1_000 } });
      for (let i = 0; i < 10; i++) await put(store, `o${i}`);
      await store.watch(W, { fromRevision: 0 });
      vi.advanceTimersByTime(1_000);
      await expectStorageError(store.watch(W, { fromRevision: 6 }), 'ResourceExpired');
      const watch = new WatchReader(await store.watch(W, { fromRevision: 7 }));
      expect((await watch.take(3)).map((e) => e.revision)).toEqual([8, 9, 10]);
    });

    it('drops rows older than keepMillis', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      let clock = 1_000_000;
      const store = await open({
        now: () => clock,
        compaction: { keepRevisions: 1_000, keepMillis: 300_000, intervalMillis: 1_000 },
      });
      for (let i = 0; i < 5; i++) await put(store, `old${i}`);
      clock += 200_000;
      for (let i = 0; i < 2; i++) await put(store, `new${i}`);
      clock += 150_000;
      vi.advanceTimersByTime(1_000);
      await expectStorageError(store.watch(W, { fromRevision: 4 }), 'ResourceExpired');
      const watch = new WatchReader(await store.watch(W, { fromRevision: 5 }));
      expect((await watch.take(2)).map((e) => e.object.metadata.name)).toEqual(['new0', 'new1']);

      clock += 300_000;
      vi.advanceTimersByTime(1_000);
      await expectStorageError(store.watch(W, { fromRevision: 6 }), 'ResourceExpired');
      await store.watch(W, { fromRevision: 7 });
    });

    it('does not compact when nothing is past retention', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const store = await open({ compaction: { keepRevisions: 10, keepMillis: 3_600_000, intervalMillis: 1_000 } });
      for (let i = 0; i < 5; i++) await put(store, `o${i}`);
      vi.advanceTimersByTime(5_000);
      const watch = new WatchReader(await store.watch(W, { fromRevision: 0 }));
      expect(await watch.take(5)).toHaveLength(5);
    });
  });

  describe('watch buffering', () => {
    it('catches up across more than one log batch', async () => {
      const store = await open({});
      const n = 1_234;
      for (let i = 0; i < n; i++) await put(store, `o${i}`);
      const watch = new WatchReader(await store.watch(W, { fromRevision: 0 }));
      const events = await watch.take(n);
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect(await drainUntilSentinel(store, watch, W)).toEqual([]);
    });

    it('lets a lagging watcher fall back to the log and still see every change in order', async () => {
      const store = await open({ watchBufferSize: 5 });
      const watch = new WatchReader(await store.watch(W, { fromRevision: 0 }));
      await put(store, 'first');
      await watch.take(1);
      for (let i = 0; i < 50; i++) await put(store, `o${i}`);
      const events = await watch.take(50);
      expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
      expect(await drainUntilSentinel(store, watch, W)).toEqual([]);
    });

    it('ends a lagging watcher with ResourceExpired once the log no longer holds its position', async () => {
      const store = await open({ watchBufferSize: 5 });
      const watch = new WatchReader(await store.watch(W, { fromRevision: 0 }));
      await put(store, 'first');
      await watch.take(1);
      for (let i = 0; i < 20; i++) await put(store, `o${i}`);
      await store.compact(W, await store.currentRevision(W));
      const outcome = await watch.raw().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isStorageError(outcome, 'ResourceExpired')).toBe(true);
      expect((await watch.raw()).done).toBe(true);
    });
  });

  describe('failures', () => {
    it('reports an unopenable path as Unreachable', () => {
      expect(() => createSqliteStore({ path: '/nonexistent-dir/x/store.db' })).toThrow(
        expect.objectContaining({ name: 'StorageError', code: 'Unreachable' }),
      );
    });

    it('reports calls after close as Unreachable', async () => {
      const store = await open({});
      await store.close();
      await expectStorageError(store.get(key(W, 'a', 'ns1')), 'Unreachable');
      await expectStorageError(put(store, 'a'), 'Unreachable');
    });

    it('rejects an object that cannot be encoded as InvalidObject and writes nothing', async () => {
      const store = await open({});
      const obj = makeObject({ name: 'a', namespace: 'ns1' });
      obj.spec = { self: obj };
      await expectStorageError(store.create(key(W, 'a', 'ns1'), obj), 'InvalidObject');
      expect(await store.currentRevision(W)).toBe(0);
    });
  });

  describe('crash safety', () => {
    it('keeps every acknowledged write when the writer is killed with SIGKILL', async () => {
      const store = await open({});
      await store.close();
      const path = join(harness!.dir, 'store.db');
      const child = spawn(process.execPath, ['--import', 'tsx', CRASH_CHILD, path], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const acked = await within(
        new Promise<number>((resolve, reject) => {
          let last = -1;
          let buf = '';
          child.stdout.on('data', (chunk: Buffer) => {
            buf += chunk.toString();
            const lines = buf.split('\n');
            buf = lines.pop() ?? '';
            for (const l of lines) last = Number(l);
            if (last >= 300) {
              child.kill('SIGKILL');
              resolve(last);
            }
          });
          child.on('exit', (code, signal) => {
            if (signal !== 'SIGKILL') reject(new Error(`writer exited early: ${code ?? signal}`));
          });
        }),
        'the writer to acknowledge 300 writes',
        20_000,
      );
      await within(once(child, 'exit'), 'the writer to die');

      const reopened = createSqliteStore({ path });
      harness!.cleanup = async () => {
        await reopened.close();
        await rm(harness!.dir, { recursive: true, force: true });
      };
      const current = await reopened.currentRevision(W);
      expect(current).toBeGreaterThanOrEqual(acked + 1);
      const { items } = await reopened.list(W);
      expect(items.length).toBe(current);
      const stored = new Set(items.map((o) => o.metadata.name));
      for (let i = 0; i <= acked; i++) expect(stored.has(`obj-${i}`)).toBe(true);
      const watch = new WatchReader(await reopened.watch(W, { fromRevision: 0 }));
      expect((await watch.take(current)).map((e) => e.revision)).toEqual(
        Array.from({ length: current }, (_, i) => i + 1),
      );
    });
  });
});
