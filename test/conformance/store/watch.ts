/**
 * Conformance: watches see every later change of a type exactly once, in
 * revision order, across catch-up and live delivery.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import type { StoreEvent } from '../../../core/storage/store.ts';
import { drainUntilSentinel, expectStorageError, key, rv, type StoreContext, watchFrom, within } from './context.ts';

const W = 'widgets';

const summary = (e: StoreEvent) =>
  `${e.type} ${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}@${e.revision}`;

/** Asserts revisions strictly increase and each equals its object's resourceVersion. */
function expectOrdered(events: StoreEvent[]): void {
  for (const e of events) expect(e.revision).toBe(rv(e.object));
  for (let i = 1; i < events.length; i++) expect(events[i].revision).toBeGreaterThan(events[i - 1].revision);
}

/** Registers the watch cases. */
export function describeWatch(ctx: StoreContext): void {
  describe('watch', () => {
    it('reports ADDED, MODIFIED and DELETED with their revisions and previous states', async () => {
      const from = await ctx.store.currentRevision(W);
      const watch = await watchFrom(ctx.store, W, from);
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', spec: { v: 1 } });
      const a2 = await ctx.store.update(key(W, 'a', 'ns1'), { ...a, spec: { v: 2 } });
      const gone = await ctx.store.delete(key(W, 'a', 'ns1'));
      const [added, modified, deleted] = await watch.take(3);

      expect(added.type).toBe('ADDED');
      expect(added.object).toEqual(a);
      expect(added.revision).toBe(rv(a));
      expect(added.prevObject).toBeUndefined();

      expect(modified.type).toBe('MODIFIED');
      expect(modified.object).toEqual(a2);
      expect(modified.prevObject).toEqual(a);
      expect(modified.revision).toBe(rv(a2));

      expect(deleted.type).toBe('DELETED');
      expect(deleted.object).toEqual(gone);
      expect(deleted.revision).toBe(rv(gone));
      expect(deleted.prevObject).toEqual(a2);
      watch.watch.stop();
    });

    it('replays history from a revision in the middle, then continues live, each change once', async () => {
      const written: KubeObject[] = [];
      for (let i = 0; i < 5; i++) written.push(await ctx.put(W, { name: `o${i}`, namespace: 'ns1' }));
      const watch = await watchFrom(ctx.store, W, rv(written[1]));
      written.push(await ctx.put(W, { name: 'o5', namespace: 'ns1' }));
      const events = await watch.take(4);
      expect(events.map((e) => e.object)).toEqual(written.slice(2));
      expect(await drainUntilSentinel(ctx.store, watch, W)).toEqual([]);
    });

    it('misses nothing and repeats nothing written while it catches up, with concurrent writers', async () => {
      const revisions: number[] = [];
      for (let i = 0; i < 30; i++) revisions.push(rv(await ctx.put(W, { name: `pre${i}`, namespace: `ns${i % 3}` })));
      const watch = await watchFrom(ctx.store, W, 0);
      const writer = async (w: number) => {
        for (let i = 0; i < 15; i++) {
          const o = await ctx.put(W, { name: `w${w}-${i}`, namespace: `ns${i % 3}` });
          revisions.push(rv(o));
          const u = await ctx.store.update(key(W, `w${w}-${i}`, `ns${i % 3}`), { ...o, spec: { touched: true } });
          revisions.push(rv(u));
        }
      };
      const writing = Promise.all([writer(0), writer(1), writer(2), writer(3)]);
      const events = await watch.take(30 + 4 * 15 * 2);
      await writing;
      expectOrdered(events);
      expect(events.map((e) => e.revision)).toEqual([...revisions].sort((x, y) => x - y));
      expect(await drainUntilSentinel(ctx.store, watch, W)).toEqual([]);
    });

    it('delivers the same changes to several watchers', async () => {
      const from = await ctx.store.currentRevision(W);
      const w1 = await watchFrom(ctx.store, W, from);
      const w2 = await watchFrom(ctx.store, W, from);
      await Promise.all(Array.from({ length: 10 }, (_, i) => ctx.put(W, { name: `o${i}`, namespace: 'ns1' })));
      const [e1, e2] = await Promise.all([w1.take(10), w2.take(10)]);
      expectOrdered(e1);
      expect(e2.map(summary)).toEqual(e1.map(summary));
    });

    it('filters by namespace', async () => {
      const watch = await watchFrom(ctx.store, W, 0, 'ns2');
      await ctx.put(W, { name: 'a', namespace: 'ns1' });
      const b = await ctx.put(W, { name: 'b', namespace: 'ns2' });
      // The first event comes from history, the rest from live changes.
      expect((await watch.take(1)).map(summary)).toEqual([`ADDED ns2/b@${rv(b)}`]);
      await ctx.put(W, { name: 'c', namespace: 'ns1' });
      await ctx.store.delete(key(W, 'a', 'ns1'));
      const d = await ctx.store.delete(key(W, 'b', 'ns2'));
      await ctx.put(W, { name: 'e', namespace: 'ns3' });
      expect((await watch.take(1)).map(summary)).toEqual([`DELETED ns2/b@${rv(d)}`]);
      expect(await drainUntilSentinel(ctx.store, watch, W, 'ns2')).toEqual([]);
    });

    it('sees only its own type', async () => {
      const watch = await watchFrom(ctx.store, W, await ctx.store.currentRevision(W));
      await ctx.put('gadgets.example.com', { name: 'g', namespace: 'ns1' });
      expect(await drainUntilSentinel(ctx.store, watch, W)).toEqual([]);
    });

    it('accepts a revision ahead of the current one and delivers only later changes', async () => {
      const base = await ctx.store.currentRevision(W);
      const watch = await watchFrom(ctx.store, W, base + 2);
      await ctx.put(W, { name: 'a', namespace: 'ns1' });
      await ctx.put(W, { name: 'b', namespace: 'ns1' });
      const c = await ctx.put(W, { name: 'c', namespace: 'ns1' });
      const [first] = await watch.take(1);
      expect(first.object).toEqual(c);
    });

    it('ends the iteration when stopped, including a pending next()', async () => {
      const watch = await ctx.store.watch(W, { fromRevision: 0 });
      const it = watch[Symbol.asyncIterator]();
      const pending = it.next();
      watch.stop();
      expect(await within(pending, 'stop to end the watch')).toEqual({ done: true, value: undefined });
      await ctx.put(W, { name: 'a', namespace: 'ns1' });
      expect((await within(it.next(), 'a stopped watch')).done).toBe(true);
    });

    it('ends a for-await loop when stopped from inside it', async () => {
      await ctx.put(W, { name: 'a', namespace: 'ns1' });
      await ctx.put(W, { name: 'b', namespace: 'ns1' });
      const watch = await ctx.store.watch(W, { fromRevision: 0 });
      const seen: string[] = [];
      await within(
        (async () => {
          for await (const e of watch) {
            seen.push(e.object.metadata.name ?? '');
            watch.stop();
          }
        })(),
        'the loop to end',
      );
      expect(seen).toEqual(['a']);
    });

    it('ends every watch when the store closes', async () => {
      const w1 = await ctx.store.watch(W, { fromRevision: 0 });
      const w2 = await ctx.store.watch('gadgets.example.com', { fromRevision: 0 });
      const p1 = w1[Symbol.asyncIterator]().next();
      const p2 = w2[Symbol.asyncIterator]().next();
      await ctx.store.close();
      expect((await within(p1, 'close to end the watch')).done).toBe(true);
      expect((await within(p2, 'close to end the watch')).done).toBe(true);
    });

    it('throws ResourceExpired for a compacted revision, with Kubernetes’ message shape', async () => {
      for (let i = 0; i < 4; i++) await ctx.put(W, { name: `o${i}`, namespace: 'ns1' });
      const current = await ctx.store.currentRevision(W);
      await ctx.store.compact(W, current - 1);
      const e = await expectStorageError(ctx.store.watch(W, { fromRevision: current - 2 }), 'ResourceExpired');
      expect(e.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
      const watch = await watchFrom(ctx.store, W, current - 1);
      expect((await watch.take(1))[0].revision).toBe(current);
    });
  });
}
