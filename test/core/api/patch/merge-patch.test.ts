import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../../../core/api/patch/merge-patch.ts';

describe('applyMergePatch', () => {
  // The examples of RFC 7386, appendix A.
  it.each([
    { target: { a: 'b' }, patch: { a: 'c' }, expected: { a: 'c' } },
    { target: { a: 'b' }, patch: { b: 'c' }, expected: { a: 'b', b: 'c' } },
    { target: { a: 'b' }, patch: { a: null }, expected: {} },
    { target: { a: 'b', b: 'c' }, patch: { a: null }, expected: { b: 'c' } },
    { target: { a: ['b'] }, patch: { a: 'c' }, expected: { a: 'c' } },
    { target: { a: 'c' }, patch: { a: ['b'] }, expected: { a: ['b'] } },
    { target: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, expected: { a: { b: 'd' } } },
    { target: { a: [{ b: 'c' }] }, patch: { a: [1] }, expected: { a: [1] } },
    { target: ['a', 'b'], patch: ['c', 'd'], expected: ['c', 'd'] },
    { target: { a: 'b' }, patch: ['c'], expected: ['c'] },
    { target: { a: 'foo' }, patch: null, expected: null },
    { target: { a: 'foo' }, patch: 'bar', expected: 'bar' },
    { target: { e: null }, patch: { a: 1 }, expected: { e: null, a: 1 } },
    { target: [1, 2], patch: { a: 'b', c: null }, expected: { a: 'b' } },
    { target: {}, patch: { a: { bb: { ccc: null } } }, expected: { a: { bb: {} } } },
  ])('turns $target into $expected with $patch', ({ target, patch, expected }) => {
    expect(applyMergePatch(target, patch)).toEqual(expected);
  });

  it('applies what kubectl label and kubectl scale send', () => {
    const deployment = { metadata: { name: 'd', labels: { app: 'x', tier: 'web' } }, spec: { replicas: 1 } };
    const labelled = applyMergePatch(deployment, { metadata: { labels: { tier: null, env: 'prod' } } });
    expect(applyMergePatch(labelled, { spec: { replicas: 3 } })).toEqual({
      metadata: { name: 'd', labels: { app: 'x', env: 'prod' } },
      spec: { replicas: 3 },
    });
  });

  it('modifies neither argument and shares no objects with them', () => {
    const target = { a: { b: [1] }, keep: { x: 1 } };
    const patch = { a: { c: [2] }, d: { e: 1 } };
    const out = applyMergePatch(target, patch) as Record<string, any>;
    expect(target).toEqual({ a: { b: [1] }, keep: { x: 1 } });
    expect(patch).toEqual({ a: { c: [2] }, d: { e: 1 } });
    out.a.c.push(3);
    out.keep.x = 2;
    expect(patch.a.c).toEqual([2]);
    expect(target.keep.x).toBe(1);
  });

  const json = fc.jsonValue({ maxDepth: 3 });
  const setKeys = fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(json, fc.constant(null)), { maxKeys: 5 });

  it('is idempotent for patches that set and delete keys', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys: 5 }), setKeys, (target, patch) => {
        const once = applyMergePatch(target, patch);
        expect(applyMergePatch(once, patch)).toEqual(once);
      }),
    );
  });

  it('sets every non-null key the patch names and removes every null one', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 4 }), json, { maxKeys: 5 }), setKeys, (target, patch) => {
        const out = applyMergePatch(target, patch) as Record<string, unknown>;
        for (const [k, v] of Object.entries(patch)) {
          if (v === null) expect(Object.hasOwn(out, k)).toBe(false);
          else expect(Object.hasOwn(out, k)).toBe(true);
        }
      }),
    );
  });
});
