/**
 * Conformance: get/create/update/delete, their errors, keys and revisions.
 */
import { describe, expect, it } from 'vitest';
import { keyOf, makeObject } from '../../fixtures/store-objects.ts';
import { drainUntilSentinel, expectStorageError, key, rv, type StoreContext, watchFrom } from './context.ts';

const W = 'widgets';

/** Registers the CRUD cases. */
export function describeCrud(ctx: StoreContext): void {
  describe('create and get', () => {
    it('stores the object with its revision as resourceVersion', async () => {
      const input = makeObject({ name: 'a', namespace: 'ns1', spec: { size: 1 } });
      const created = await ctx.store.create(keyOf(W, input), input);
      expect(created.metadata.resourceVersion).toMatch(/^[1-9][0-9]*$/);
      expect(rv(created)).toBe(await ctx.store.currentRevision(W));
      expect(created).toEqual({
        ...input,
        metadata: { ...input.metadata, resourceVersion: created.metadata.resourceVersion },
      });
      expect(await ctx.store.get(keyOf(W, input))).toEqual(created);
    });

    it('leaves the caller’s object untouched', async () => {
      const input = makeObject({ name: 'a', namespace: 'ns1' });
      const copy = structuredClone(input);
      await ctx.store.create(keyOf(W, input), input);
      expect(input).toEqual(copy);
    });

    it('returns copies that do not alias the stored state', async () => {
      const created = await ctx.put(W, { name: 'a', namespace: 'ns1', spec: { size: 1 } });
      (created.spec as { size: number }).size = 99;
      const got = await ctx.store.get(key(W, 'a', 'ns1'));
      expect(got.spec).toEqual({ size: 1 });
      (got.spec as { size: number }).size = 98;
      expect((await ctx.store.get(key(W, 'a', 'ns1'))).spec).toEqual({ size: 1 });
    });

    it('throws KeyExists when the key is taken', async () => {
      await ctx.put(W, { name: 'a', namespace: 'ns1' });
      await expectStorageError(ctx.put(W, { name: 'a', namespace: 'ns1' }), 'KeyExists');
    });

    it('throws InvalidObject when resourceVersion is set', async () => {
      const obj = makeObject({ name: 'a', namespace: 'ns1' });
      obj.metadata.resourceVersion = '5';
      await expectStorageError(ctx.store.create(keyOf(W, obj), obj), 'InvalidObject');
    });

    it.each([
      ['get', () => ctx.store.get(key(W, 'missing', 'ns1'))],
      ['update', () => ctx.store.update(key(W, 'missing', 'ns1'), makeObject({ name: 'missing', namespace: 'ns1' }))],
      ['delete', () => ctx.store.delete(key(W, 'missing', 'ns1'))],
      ['guaranteedUpdate', () => ctx.store.guaranteedUpdate(key(W, 'missing', 'ns1'), (o) => o)],
    ])('throws KeyNotFound from %s when the key is absent', async (_verb, call) => {
      await expectStorageError(call(), 'KeyNotFound');
    });

    it('keeps the same name apart across namespaces, cluster scope and types', async () => {
      await ctx.put(W, { name: 'x', namespace: 'ns1', spec: { n: 1 } });
      await ctx.put(W, { name: 'x', namespace: 'ns2', spec: { n: 2 } });
      await ctx.put('clusterwidgets', { name: 'x', spec: { n: 3 } });
      await ctx.put('gadgets.example.com', { name: 'x', namespace: 'ns1', spec: { n: 4 } });
      expect((await ctx.store.get(key(W, 'x', 'ns1'))).spec).toEqual({ n: 1 });
      expect((await ctx.store.get(key(W, 'x', 'ns2'))).spec).toEqual({ n: 2 });
      expect((await ctx.store.get(key('clusterwidgets', 'x'))).spec).toEqual({ n: 3 });
      expect((await ctx.store.get(key('gadgets.example.com', 'x', 'ns1'))).spec).toEqual({ n: 4 });
      await expectStorageError(ctx.store.get(key(W, 'x')), 'KeyNotFound');
    });
  });

  describe('update', () => {
    it('writes a new revision and returns the stored object', async () => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', spec: { size: 1 } });
      const updated = await ctx.store.update(key(W, 'a', 'ns1'), { ...a, spec: { size: 2 } });
      expect(rv(updated)).toBeGreaterThan(rv(a));
      expect(updated.spec).toEqual({ size: 2 });
      expect(await ctx.store.get(key(W, 'a', 'ns1'))).toEqual(updated);
    });

    it('ignores the resourceVersion carried by the object itself', async () => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', spec: { size: 1 } });
      const stale = { ...a, metadata: { ...a.metadata, resourceVersion: '999999' }, spec: { size: 2 } };
      const updated = await ctx.store.update(key(W, 'a', 'ns1'), stale);
      expect(updated.metadata.resourceVersion).toBe(String(await ctx.store.currentRevision(W)));
    });

    it('writes nothing when the object is unchanged (even with keys in another order)', async () => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', labels: { x: '1' }, spec: { p: 1, q: 2 } });
      const watch = await watchFrom(ctx.store, W, rv(a));
      const reordered = { spec: { q: 2, p: 1 }, metadata: { ...a.metadata }, kind: a.kind, apiVersion: a.apiVersion };
      const same = await ctx.store.update(key(W, 'a', 'ns1'), reordered);
      expect(same).toEqual(a);
      expect(await ctx.store.currentRevision(W)).toBe(rv(a));
      expect(await drainUntilSentinel(ctx.store, watch, W, 'ns1')).toEqual([]);
    });
  });

  describe('delete', () => {
    it('returns the last state stamped with the deletion revision', async () => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', spec: { size: 1 } });
      const gone = await ctx.store.delete(key(W, 'a', 'ns1'));
      expect(rv(gone)).toBeGreaterThan(rv(a));
      expect(rv(gone)).toBe(await ctx.store.currentRevision(W));
      expect(gone.spec).toEqual({ size: 1 });
      expect(gone.metadata.uid).toBe(a.metadata.uid);
      await expectStorageError(ctx.store.get(key(W, 'a', 'ns1')), 'KeyNotFound');
      await expectStorageError(ctx.store.delete(key(W, 'a', 'ns1')), 'KeyNotFound');
    });

    it('lets the key be created again afterwards', async () => {
      await ctx.put(W, { name: 'a', namespace: 'ns1', uid: 'first' });
      await ctx.store.delete(key(W, 'a', 'ns1'));
      const again = await ctx.put(W, { name: 'a', namespace: 'ns1', uid: 'second' });
      expect((await ctx.store.get(key(W, 'a', 'ns1'))).metadata.uid).toBe('second');
      expect(rv(again)).toBe(await ctx.store.currentRevision(W));
    });
  });

  describe('revisions', () => {
    it('reports 0 for a type that was never written', async () => {
      expect(await ctx.store.currentRevision('nothings')).toBe(0);
    });

    it('increase strictly with every write and are independent per type', async () => {
      const seen: number[] = [];
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1' });
      seen.push(rv(a));
      const gadgetsBefore = await ctx.store.currentRevision('gadgets.example.com');
      seen.push(rv(await ctx.store.update(key(W, 'a', 'ns1'), { ...a, spec: { v: 2 } })));
      seen.push(rv(await ctx.put(W, { name: 'b', namespace: 'ns2' })));
      seen.push(rv(await ctx.store.delete(key(W, 'a', 'ns1'))));
      seen.push(rv(await ctx.put(W, { name: 'c' })));
      for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]);
      expect(await ctx.store.currentRevision(W)).toBe(seen[seen.length - 1]);
      expect(await ctx.store.currentRevision('gadgets.example.com')).toBe(gadgetsBefore);

      const g = await ctx.put('gadgets.example.com', { name: 'g', namespace: 'ns1' });
      // A shared counter would have given it a revision past every widget write.
      expect(rv(g)).toBe(gadgetsBefore + 1);
      expect(await ctx.store.currentRevision(W)).toBe(seen[seen.length - 1]);
    });

    it('never go backwards when every object of a type is deleted', async () => {
      await ctx.put(W, { name: 'a', namespace: 'ns1' });
      const gone = await ctx.store.delete(key(W, 'a', 'ns1'));
      expect(await ctx.store.currentRevision(W)).toBe(rv(gone));
      const next = await ctx.put(W, { name: 'b', namespace: 'ns1' });
      expect(rv(next)).toBeGreaterThan(rv(gone));
    });
  });
}
