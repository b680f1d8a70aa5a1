/**
 * Conformance: list order, namespaces, predicates and paginated lists that
 * stay consistent with the first page's revision.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import { StatusError } from '../../../core/errors/index.ts';
import type { ListOptions, ListResult } from '../../../core/storage/store.ts';
import { makeObject } from '../../fixtures/store-objects.ts';
import { expectStorageError, key, type StoreContext } from './context.ts';

const W = 'widgets';
const names = (items: KubeObject[]) => items.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`);

/** Registers the list cases. */
export function describeList(ctx: StoreContext): void {
  /** Reads every page with `limit`, checking each page's invariants. */
  async function allPages(resource: string, options: ListOptions): Promise<ListResult[]> {
    const pages = [await ctx.store.list(resource, options)];
    while (pages[pages.length - 1].continue) {
      pages.push(await ctx.store.list(resource, { ...options, continue: pages[pages.length - 1].continue }));
      expect(pages.length).toBeLessThan(100);
    }
    for (const p of pages) expect(p.revision).toBe(pages[0].revision);
    return pages;
  }

  async function seed(): Promise<void> {
    // Created out of order so the store, not insertion order, decides the order.
    for (const [ns, name] of [
      ['ns2', 'b'],
      ['ns1', 'c'],
      ['ns3', 'a'],
      ['ns1', 'a'],
      ['ns2', 'a'],
      ['ns1', 'b'],
      ['ns3', 'b'],
      ['ns1', 'd'],
      ['ns2', 'c'],
      ['ns3', 'c'],
    ]) {
      await ctx.put(W, { name, namespace: ns, labels: { parity: name === 'b' ? 'even' : 'odd' } });
    }
    await ctx.put('clusterwidgets', { name: 'z' });
    await ctx.put('clusterwidgets', { name: 'y' });
  }

  const ALL = ['ns1/a', 'ns1/b', 'ns1/c', 'ns1/d', 'ns2/a', 'ns2/b', 'ns2/c', 'ns3/a', 'ns3/b', 'ns3/c'];

  describe('list', () => {
    it('returns an empty list at revision 0 for an unknown type', async () => {
      expect(await ctx.store.list('nothings')).toEqual({ items: [], revision: 0 });
    });

    it('lists every namespace ordered by namespace then name, at the current revision', async () => {
      await seed();
      const all = await ctx.store.list(W);
      expect(names(all.items)).toEqual(ALL);
      expect(all.revision).toBe(await ctx.store.currentRevision(W));
      expect(all.continue).toBeUndefined();
      expect(all.items[0]).toEqual(await ctx.store.get(key(W, 'a', 'ns1')));
      expect(await ctx.store.list(W, { namespace: '' })).toEqual(all);
    });

    it('lists one namespace and cluster-scoped types', async () => {
      await seed();
      expect(names((await ctx.store.list(W, { namespace: 'ns2' })).items)).toEqual(['ns2/a', 'ns2/b', 'ns2/c']);
      expect(names((await ctx.store.list(W, { namespace: 'nsX' })).items)).toEqual([]);
      expect(names((await ctx.store.list('clusterwidgets')).items)).toEqual(['/y', '/z']);
    });

    it('applies the predicate', async () => {
      await seed();
      const even = await ctx.store.list(W, { predicate: (o) => o.metadata.labels?.parity === 'even' });
      expect(names(even.items)).toEqual(['ns1/b', 'ns2/b', 'ns3/b']);
    });
  });

  describe('pagination', () => {
    it.each([1, 3, 4, 10])('pages through everything with limit %i', async (limit) => {
      await seed();
      const pages = await allPages(W, { limit });
      expect(names(pages.flatMap((p) => p.items))).toEqual(ALL);
      for (const p of pages.slice(0, -1)) expect(p.items).toHaveLength(limit);
      expect(pages[pages.length - 1].continue).toBeUndefined();
      let left = ALL.length;
      for (const p of pages) {
        left -= p.items.length;
        if (p.remainingItemCount !== undefined) expect(p.remainingItemCount).toBe(left);
      }
    });

    it('counts only items that match the predicate towards the limit', async () => {
      await seed();
      const odd = (o: KubeObject) => o.metadata.labels?.parity === 'odd';
      const pages = await allPages(W, { limit: 2, predicate: odd });
      expect(names(pages.flatMap((p) => p.items))).toEqual(ALL.filter((n) => !n.endsWith('/b')));
      for (const p of pages.slice(0, -1)) expect(p.items).toHaveLength(2);
    });

    it('pages within one namespace', async () => {
      await seed();
      const pages = await allPages(W, { namespace: 'ns1', limit: 3 });
      expect(pages.map((p) => names(p.items))).toEqual([['ns1/a', 'ns1/b', 'ns1/c'], ['ns1/d']]);
    });

    it('serves later pages as of the first page’s revision', async () => {
      for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) {
        await ctx.put(W, { name: n, namespace: 'ns1', uid: `${n}-1`, spec: { v: 1 } });
      }
      const before = await ctx.store.list(W);
      const first = await ctx.store.list(W, { limit: 2 });
      expect(names(first.items)).toEqual(['ns1/a', 'ns1/b']);

      const k = (n: string) => key(W, n, 'ns1');
      const c = await ctx.store.get(k('c'));
      await ctx.store.update(k('c'), { ...c, spec: { v: 2 } });
      await ctx.store.delete(k('d'));
      await ctx.put(W, { name: 'cc', namespace: 'ns1' });
      await ctx.store.update(k('a'), { ...(await ctx.store.get(k('a'))), spec: { v: 2 } });
      await ctx.store.delete(k('e'));
      await ctx.put(W, { name: 'e', namespace: 'ns1', uid: 'e-2', spec: { v: 2 } });
      await ctx.put(W, { name: 'g', namespace: 'ns1' });
      await ctx.put(W, { name: 'a0', namespace: 'ns0' });

      const rest = await allPages(W, { limit: 2, continue: first.continue });
      for (const p of rest) expect(p.revision).toBe(first.revision);
      expect([...first.items, ...rest.flatMap((p) => p.items)]).toEqual(before.items);

      const now = await ctx.store.list(W);
      expect(names(now.items)).toEqual(['ns0/a0', 'ns1/a', 'ns1/b', 'ns1/c', 'ns1/cc', 'ns1/e', 'ns1/f', 'ns1/g']);
      expect(now.revision).toBeGreaterThan(first.revision);
    });

    it('keeps the first page’s revision with a predicate and a namespace', async () => {
      const created: KubeObject[] = [];
      for (const n of ['a', 'b', 'c', 'd'])
        created.push(await ctx.put(W, { name: n, namespace: 'ns1', labels: { keep: 'yes' } }));
      const keep = (o: KubeObject) => o.metadata.labels?.keep === 'yes';
      const first = await ctx.store.list(W, { namespace: 'ns1', limit: 1, predicate: keep });
      const c = await ctx.store.get(key(W, 'c', 'ns1'));
      await ctx.store.update(key(W, 'c', 'ns1'), { ...c, metadata: { ...c.metadata, labels: { keep: 'no' } } });
      const b = await ctx.store.get(key(W, 'b', 'ns1'));
      await ctx.store.update(key(W, 'b', 'ns1'), { ...b, metadata: { ...b.metadata, labels: { keep: 'no' } } });
      const rest = await allPages(W, { namespace: 'ns1', limit: 1, predicate: keep, continue: first.continue });
      expect(rest.flatMap((p) => p.items)).toEqual(created.slice(1));
    });

    it('throws ResourceExpired for a continue token older than the compacted revision', async () => {
      await seed();
      const first = await ctx.store.list(W, { limit: 2 });
      const a = await ctx.store.get(key(W, 'a', 'ns1'));
      await ctx.store.update(key(W, 'a', 'ns1'), { ...a, spec: { v: 2 } });
      await ctx.store.compact(W, await ctx.store.currentRevision(W));
      await expectStorageError(ctx.store.list(W, { limit: 2, continue: first.continue }), 'ResourceExpired');
    });

    it('rejects a malformed continue token with 400 BadRequest', async () => {
      await seed();
      const e = await ctx.store.list(W, { limit: 2, continue: 'not-a-token' }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(StatusError);
      expect((e as StatusError).code).toBe(400);
    });

    it('returns no continue token when the limit covers everything', async () => {
      await ctx.store.create(key(W, 'a', 'ns1'), makeObject({ name: 'a', namespace: 'ns1' }));
      const page = await ctx.store.list(W, { limit: 5 });
      expect(page.items).toHaveLength(1);
      expect(page.continue).toBeUndefined();
    });
  });
}
