import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import { quantityMilliValue } from '../../../core/api/quantity.ts';
import { isConflict } from '../../../core/errors/index.ts';
import { bindPod } from '../../../core/registry/binding.ts';
import { makeNode } from '../../fixtures/scheduler.ts';
import { adminCtx, makeRegistry, NODES, PODS } from '../../support/memory-registry.ts';

const groupArb = fc.oneof(
  {
    weight: 3,
    // Bindings started together, as parallel schedulers would: each names its own pod and a node.
    arbitrary: fc.array(fc.record({ node: fc.nat(), milliCPU: fc.integer({ min: 0, max: 1500 }) }), {
      minLength: 1,
      maxLength: 6,
    }),
  },
  { weight: 1, arbitrary: fc.record({ delete: fc.nat() }) },
);

describe('bindPod with allocation records (property)', () => {
  it('never lets concurrent bindings and deletions put more on a node than its allocatable cpu and pods', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ milliCPU: fc.integer({ min: 0, max: 3000 }), pods: fc.integer({ min: 0, max: 4 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.array(groupArb, { maxLength: 12 }),
        async (nodeSpecs, groups) => {
          const { store, registry } = await makeRegistry();
          try {
            for (const [i, n] of nodeSpecs.entries()) {
              const { metadata, status } = makeNode({ name: `n${i}`, cpu: `${n.milliCPU}m`, pods: String(n.pods) });
              await registry.create(adminCtx(), NODES, '', { metadata: { name: metadata!.name } });
              await registry.update(adminCtx(), NODES, '', `n${i}`, { metadata, status } as KubeObject, 'status');
            }
            let serial = 0;
            const bound: string[] = [];
            for (const g of groups) {
              if ('delete' in g) {
                if (bound.length === 0) continue;
                const [name] = bound.splice(g.delete % bound.length, 1);
                await store.delete(registry.key(PODS, 'default', name));
                continue;
              }
              const names = await Promise.all(
                g.map(async ({ milliCPU }) => {
                  const name = `p${serial++}`;
                  const requests = milliCPU ? { cpu: `${milliCPU}m` } : undefined;
                  const spec = { containers: [{ name: 'c', image: 'i', resources: { requests } }] };
                  await registry.create(adminCtx(), PODS, 'default', { metadata: { name }, spec } as KubeObject);
                  return name;
                }),
              );
              const results = await Promise.allSettled(
                g.map(({ node }, i) =>
                  bindPod(registry, adminCtx(), 'default', names[i], `n${node % nodeSpecs.length}`),
                ),
              );
              results.forEach((r, i) => {
                if (r.status === 'fulfilled') bound.push(names[i]);
                else expect(isConflict(r.reason)).toBe(true);
              });
              const pods = (await store.list('pods')).items as unknown as Pod[];
              for (const [i, n] of nodeSpecs.entries()) {
                const on = pods.filter((p) => p.spec?.nodeName === `n${i}`);
                const cpu = on.reduce((sum, p) => {
                  const q = p.spec!.containers[0].resources?.requests?.cpu;
                  return sum + (q ? quantityMilliValue(q) : 0);
                }, 0);
                expect(on.length).toBeLessThanOrEqual(n.pods);
                expect(cpu).toBeLessThanOrEqual(n.milliCPU);
              }
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
