import fc from 'fast-check';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { quantityMilliValue, quantityValue } from '../../../core/api/quantity.ts';
import { createSchedulerCache } from '../../../core/scheduler/cache.ts';
import { buildProfile, DEFAULT_CONFIGURATION } from '../../../core/scheduler/config.ts';
import { CycleState, isSuccess } from '../../../core/scheduler/framework.ts';
import { schedulePod } from '../../../core/scheduler/schedule-pod.ts';
import { compileLabelSelector } from '../../../core/scheduler/selectors.ts';
import { makeNode, makePod, makeReplicaSet, ownedBy } from '../../fixtures/scheduler.ts';

/** A deterministic [0, 1) source from a seed (mulberry32), so failures replay. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const nodeArb = fc.record({
  milliCPU: fc.integer({ min: 0, max: 8000 }),
  memoryMi: fc.integer({ min: 0, max: 16_384 }),
  pods: fc.integer({ min: 0, max: 8 }),
});

const opArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('create' as const),
      milliCPU: fc.option(fc.integer({ min: 0, max: 4000 })),
      memoryMi: fc.option(fc.integer({ min: 0, max: 8192 })),
      // Sometimes the store shows the binding before the next pod comes.
      confirm: fc.boolean(),
      app: fc.constantFrom('a', 'b'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), index: fc.nat() }) },
);

const replicaSets = { a: makeReplicaSet('a', { app: 'a' }), b: makeReplicaSet('b', { app: 'b' }) };
const appA = compileLabelSelector({ matchLabels: { app: 'a' } });

describe('schedulePod with assume (property)', () => {
  it('never lets any node’s summed requests exceed its allocatable cpu, memory or pods', () => {
    fc.assert(
      fc.property(
        fc.array(nodeArb, { minLength: 1, maxLength: 8 }),
        fc.array(opArb, { maxLength: 60 }),
        fc.integer(),
        (nodeSpecs, ops, seed) => {
          const nodes = nodeSpecs.map((n, i) =>
            makeNode({ name: `n${i}`, cpu: `${n.milliCPU}m`, memory: `${n.memoryMi}Mi`, pods: String(n.pods) }),
          );
          const cache = createSchedulerCache({ nodes, replicaSets: Object.values(replicaSets) });
          const profile = buildProfile();
          const rng = seeded(seed);
          const placed: Pod[] = [];
          let serial = 0;
          for (const op of ops) {
            if (op.kind === 'delete') {
              if (placed.length === 0) continue;
              const [pod] = placed.splice(op.index % placed.length, 1);
              cache.removePod(pod);
            } else {
              const pod = makePod({
                name: `p${serial++}`,
                labels: { app: op.app },
                ownerReferences: ownedBy(replicaSets[op.app]),
                cpu: op.milliCPU === null ? undefined : `${op.milliCPU}m`,
                memory: op.memoryMi === null ? undefined : `${op.memoryMi}Mi`,
              });
              const snapshot = cache.snapshot();
              const r = schedulePod(pod, snapshot, profile, rng);
              if ('unschedulable' in r) {
                // A failure must be honest: no node passes the filters.
                for (const n of snapshot.nodeInfos) {
                  const state = new CycleState();
                  for (const p of profile.preFilters) p.preFilter(pod, state, snapshot);
                  expect(profile.filters.every((f) => isSuccess(f.filter(pod, n, state)))).toBe(false);
                }
                continue;
              }
              cache.assume(pod, r.nodeName);
              const bound = { ...pod, spec: { ...pod.spec!, nodeName: r.nodeName } };
              if (op.confirm) cache.upsertPod(bound);
              placed.push(bound);
            }
            // The spreading index agrees with a count from scratch.
            const counted = Object.fromEntries(cache.snapshot().countMatchingPods('default', appA));
            const expected: Record<string, number> = {};
            for (const p of placed) {
              if (p.metadata?.labels?.app === 'a') expected[p.spec!.nodeName!] = (expected[p.spec!.nodeName!] ?? 0) + 1;
            }
            expect(counted).toEqual(expected);
            // Sum independently from the pod objects, not from NodeInfo's running totals.
            for (const n of cache.snapshot().nodeInfos) {
              const mine = placed.filter((p) => p.spec?.nodeName === n.name);
              const cpu = mine.reduce(
                (s, p) => s + quantityMilliValue(p.spec!.containers[0].resources?.requests?.cpu ?? 0),
                0,
              );
              const mem = mine.reduce(
                (s, p) => s + quantityValue(p.spec!.containers[0].resources?.requests?.memory ?? 0),
                0,
              );
              const alloc = n.node.status!.allocatable!;
              expect(cpu).toBeLessThanOrEqual(quantityMilliValue(alloc.cpu));
              expect(mem).toBeLessThanOrEqual(quantityValue(alloc.memory));
              expect(mine.length).toBeLessThanOrEqual(quantityValue(alloc.pods));
              expect([n.requested.milliCPU, n.requested.memory, n.requested.pods]).toEqual([cpu, mem, mine.length]);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never picks an infeasible node in sampled clusters', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ fits: fc.boolean(), tainted: fc.boolean() }), { minLength: 100, maxLength: 400 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer(),
        (specs, percentage, seed) => {
          const nodes = specs.map((s, i) =>
            makeNode({
              name: `n${i}`,
              cpu: s.fits ? '4' : '500m',
              taints: s.tainted ? [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] : undefined,
            }),
          );
          const cache = createSchedulerCache({ nodes, replicaSets: Object.values(replicaSets) });
          const profile = buildProfile({ ...DEFAULT_CONFIGURATION, percentageOfNodesToScore: percentage });
          const rng = seeded(seed);
          const anyFeasible = specs.some((s) => s.fits && !s.tainted);
          for (let k = 0; k < 5; k++) {
            const r = schedulePod(makePod({ name: `p${k}`, cpu: '1' }), cache.snapshot(), profile, rng);
            if ('unschedulable' in r) {
              expect(anyFeasible).toBe(false);
              continue;
            }
            const spec = specs[Number(r.nodeName.slice(1))];
            expect(spec.fits && !spec.tainted).toBe(true);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
