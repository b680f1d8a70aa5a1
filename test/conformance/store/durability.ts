/**
 * Conformance: compaction, and state surviving a restart of the store.
 */
import { describe, expect, it } from 'vitest';
import { expectStorageError, key, rv, type StoreContext, watchFrom } from './context.ts';

const W = 'widgets';

/** Registers the compaction cases. */
export function describeCompaction(ctx: StoreContext): void {
  describe('compact', () => {
    it('expires older watches and continues but keeps every object', async () => {
      for (const n of ['a', 'b', 'c']) await ctx.put(W, { name: n, namespace: 'ns1' });
      const first = await ctx.store.list(W, { limit: 1 });
      const b = await ctx.store.get(key(W, 'b', 'ns1'));
      await ctx.store.update(key(W, 'b', 'ns1'), { ...b, spec: { v: 2 } });
      const current = await ctx.store.currentRevision(W);
      await ctx.store.compact(W, current);

      await expectStorageError(ctx.store.watch(W, { fromRevision: current - 1 }), 'ResourceExpired');
      await expectStorageError(ctx.store.list(W, { limit: 1, continue: first.continue }), 'ResourceExpired');
      expect((await ctx.store.list(W)).items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
      expect((await ctx.store.get(key(W, 'b', 'ns1'))).spec).toEqual({ v: 2 });
      const watch = await watchFrom(ctx.store, W, current);
      const d = await ctx.put(W, { name: 'd', namespace: 'ns1' });
      expect((await watch.take(1))[0].object).toEqual(d);
    });

    it('leaves other types alone', async () => {
      await ctx.put('gadgets.example.com', { name: 'g1', namespace: 'ns1' });
      await ctx.put('gadgets.example.com', { name: 'g2', namespace: 'ns1' });
      for (const n of ['a', 'b', 'c']) await ctx.put(W, { name: n, namespace: 'ns1' });
      await ctx.store.compact(W, await ctx.store.currentRevision(W));
      const watch = await watchFrom(ctx.store, 'gadgets.example.com', 0);
      expect((await watch.take(2)).map((e) => e.object.metadata.name)).toEqual(['g1', 'g2']);
    });

    it('never moves back and clamps a future revision to the current one', async () => {
      for (const n of ['a', 'b', 'c', 'd']) await ctx.put(W, { name: n, namespace: 'ns1' });
      const current = await ctx.store.currentRevision(W);
      await ctx.store.compact(W, current - 1);
      await ctx.store.compact(W, current - 3);
      await expectStorageError(ctx.store.watch(W, { fromRevision: current - 2 }), 'ResourceExpired');
      await ctx.store.compact(W, current + 100);
      const watch = await watchFrom(ctx.store, W, current);
      const e = await ctx.put(W, { name: 'e', namespace: 'ns1' });
      expect(rv(e)).toBe(current + 1);
      expect((await watch.take(1))[0].object).toEqual(e);
    });
  });
}

/** Registers the restart cases (the harness must provide `reopen`). */
export function describeRestart(ctx: StoreContext): void {
  describe('restart', () => {
    it('keeps objects, revisions and the log; a watch from before replays later changes', async () => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', spec: { v: 1 } });
      const b = await ctx.put(W, { name: 'b', namespace: 'ns2' });
      const a2 = await ctx.store.update(key(W, 'a', 'ns1'), { ...a, spec: { v: 2 } });
      const gone = await ctx.store.delete(key(W, 'b', 'ns2'));
      const g = await ctx.put('gadgets.example.com', { name: 'g' });
      const listed = await ctx.store.list(W);

      const store = await ctx.restart();
      expect(await store.get(key(W, 'a', 'ns1'))).toEqual(a2);
      expect(await store.list(W)).toEqual(listed);
      expect(await store.currentRevision(W)).toBe(rv(gone));
      expect(await store.currentRevision('gadgets.example.com')).toBe(rv(g));

      const watch = await watchFrom(store, W, rv(a));
      const c = await store.create(key(W, 'c', 'ns1'), { metadata: { name: 'c', namespace: 'ns1' } });
      expect(rv(c)).toBe(rv(gone) + 1);
      const events = await watch.take(4);
      expect(events.map((e) => [e.type, e.revision])).toEqual([
        ['ADDED', rv(b)],
        ['MODIFIED', rv(a2)],
        ['DELETED', rv(gone)],
        ['ADDED', rv(c)],
      ]);
      expect(events[1].prevObject).toEqual(a);
      expect(events[2].prevObject).toEqual(b);
    });

    it('keeps revisions counting up after every object of a type was deleted', async () => {
      await ctx.put(W, { name: 'a', namespace: 'ns1' });
      const gone = await ctx.store.delete(key(W, 'a', 'ns1'));
      const store = await ctx.restart();
      expect(await store.currentRevision(W)).toBe(rv(gone));
      const again = await store.create(key(W, 'a', 'ns1'), { metadata: { name: 'a', namespace: 'ns1' } });
      expect(rv(again)).toBe(rv(gone) + 1);
    });

    it('keeps the compacted revision and honours continue tokens issued before', async () => {
      for (const n of ['a', 'b', 'c', 'd']) await ctx.put(W, { name: n, namespace: 'ns1' });
      const current = await ctx.store.currentRevision(W);
      await ctx.store.compact(W, current - 1);
      const first = await ctx.store.list(W, { limit: 2 });
      const store = await ctx.restart();
      await expectStorageError(store.watch(W, { fromRevision: current - 2 }), 'ResourceExpired');
      const second = await store.list(W, { limit: 2, continue: first.continue });
      expect(second.items.map((o) => o.metadata.name)).toEqual(['c', 'd']);
      expect(second.revision).toBe(first.revision);
    });
  });
}
