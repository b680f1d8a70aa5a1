/**
 * Conformance: preconditions, guaranteedUpdate and racing writers.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import { isStorageError } from '../../../core/storage/errors.ts';
import { expectStorageError, key, rv, type StoreContext } from './context.ts';

const W = 'widgets';
const A = key(W, 'a', 'ns1');

const withSpec = (obj: KubeObject, spec: Record<string, unknown>): KubeObject => ({ ...obj, spec });
const counterOf = (obj: KubeObject) => (obj.spec as { count: number }).count;

/** Registers the precondition and concurrency cases. */
export function describeConditional(ctx: StoreContext): void {
  describe('preconditions', () => {
    it('updates when resourceVersion and uid match', async () => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', uid: 'u1' });
      const updated = await ctx.store.update(A, withSpec(a, { v: 2 }), {
        resourceVersion: a.metadata.resourceVersion,
        uid: 'u1',
      });
      expect(updated.spec).toEqual({ v: 2 });
    });

    it.each([
      ['a stale resourceVersion', (a: KubeObject) => ({ resourceVersion: String(rv(a) - 1 || 12345) })],
      ['another uid', () => ({ uid: 'someone-else' })],
    ])('refuses an update with %s (Conflict) and keeps the object', async (_what, pre) => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', uid: 'u1' });
      await expectStorageError(ctx.store.update(A, withSpec(a, { v: 2 }), pre(a)), 'Conflict');
      expect(await ctx.store.get(A)).toEqual(a);
    });

    it('checks preconditions even when the update would change nothing', async () => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', uid: 'u1' });
      await expectStorageError(ctx.store.update(A, a, { uid: 'someone-else' }), 'Conflict');
    });

    it.each([
      ['a stale resourceVersion', (a: KubeObject) => ({ resourceVersion: String(rv(a) - 1 || 12345) })],
      ['another uid', () => ({ uid: 'someone-else' })],
    ])('refuses a delete with %s (Conflict) and keeps the object', async (_what, pre) => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', uid: 'u1' });
      await expectStorageError(ctx.store.delete(A, pre(a)), 'Conflict');
      expect(await ctx.store.get(A)).toEqual(a);
    });

    it('deletes when resourceVersion and uid match', async () => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', uid: 'u1' });
      await ctx.store.delete(A, { resourceVersion: a.metadata.resourceVersion, uid: 'u1' });
      await expectStorageError(ctx.store.get(A), 'KeyNotFound');
    });
  });

  describe('guaranteedUpdate', () => {
    it('applies tryUpdate to the current object', async () => {
      await ctx.put(W, { name: 'a', namespace: 'ns1', spec: { count: 1 } });
      const out = await ctx.store.guaranteedUpdate(A, (cur) => withSpec(cur, { count: counterOf(cur) + 1 }));
      expect(counterOf(out)).toBe(2);
      expect(await ctx.store.get(A)).toEqual(out);
    });

    it('retries with the fresh object when another write lands in between', async () => {
      await ctx.put(W, { name: 'a', namespace: 'ns1', spec: { count: 1 } });
      const seen: number[] = [];
      const out = await ctx.store.guaranteedUpdate(A, async (cur) => {
        seen.push(counterOf(cur));
        if (seen.length === 1) await ctx.store.update(A, withSpec(cur, { count: 10 }));
        return withSpec(cur, { count: counterOf(cur) + 1 });
      });
      expect(seen).toEqual([1, 10]);
      expect(counterOf(out)).toBe(11);
    });

    it('fails with Conflict without calling tryUpdate when the uid precondition fails', async () => {
      await ctx.put(W, { name: 'a', namespace: 'ns1', uid: 'u1', spec: { count: 1 } });
      let calls = 0;
      const p = ctx.store.guaranteedUpdate(
        A,
        (cur) => {
          calls++;
          return cur;
        },
        { uid: 'u2' },
      );
      await expectStorageError(p, 'Conflict');
      expect(calls).toBe(0);
    });

    it('passes through what tryUpdate throws and writes nothing', async () => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1' });
      const boom = new Error('admission said no');
      await expect(
        ctx.store.guaranteedUpdate(A, () => {
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await ctx.store.currentRevision(W)).toBe(rv(a));
    });

    it('writes nothing when tryUpdate returns the object unchanged', async () => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1' });
      const out = await ctx.store.guaranteedUpdate(A, (cur) => cur);
      expect(out).toEqual(a);
      expect(await ctx.store.currentRevision(W)).toBe(rv(a));
    });
  });

  describe('concurrency', () => {
    const N = 20;

    it('lets exactly one of N racing conditional updates win each round', async () => {
      let current = await ctx.put(W, { name: 'a', namespace: 'ns1', spec: { writer: -1 } });
      for (let round = 0; round < 5; round++) {
        const pre = { resourceVersion: current.metadata.resourceVersion };
        const results = await Promise.allSettled(
          Array.from({ length: N }, (_, i) => ctx.store.update(A, withSpec(current, { round, writer: i }), pre)),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        for (const r of lost) expect(isStorageError(r.reason, 'Conflict')).toBe(true);
        const winner = (won[0] as PromiseFulfilledResult<KubeObject>).value;
        expect(rv(winner)).toBe(rv(current) + 1);
        expect(await ctx.store.get(A)).toEqual(winner);
        current = winner;
      }
    });

    it('ends N concurrent guaranteedUpdate increments at exactly N', async () => {
      const a = await ctx.put(W, { name: 'a', namespace: 'ns1', spec: { count: 0 } });
      await Promise.all(
        Array.from({ length: N }, () =>
          ctx.store.guaranteedUpdate(A, async (cur) => {
            await Promise.resolve();
            return withSpec(cur, { count: counterOf(cur) + 1 });
          }),
        ),
      );
      expect(counterOf(await ctx.store.get(A))).toBe(N);
      expect(await ctx.store.currentRevision(W)).toBe(rv(a) + N);
    });

    it('lets exactly one of N racing creates of one key succeed', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: N }, (_, i) => ctx.put(W, { name: 'a', namespace: 'ns1', uid: `u${i}` })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(isStorageError(r.reason, 'KeyExists')).toBe(true);
    });
  });
}
