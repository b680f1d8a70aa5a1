import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSchedulerCache } from '../../../../core/scheduler/cache.ts';
import { CycleState, type PreScorePlugin, type ScorePlugin } from '../../../../core/scheduler/framework.ts';
import { REGISTRY } from '../../../../core/scheduler/plugins/registry.ts';
import { makeNode, makePod, makeReplicaSet, ownedBy } from '../../../fixtures/scheduler.ts';

const batched = [...REGISTRY.values()].filter((p) => p.scoreNodes) as (ScorePlugin & Partial<PreScorePlugin>)[];
const rs = makeReplicaSet('web', { app: 'web' });

describe('scoreNodes (the batch form of score)', () => {
  it('is offered by the plugins the default profile scores every node with', () => {
    expect(batched.map((p) => p.name).sort()).toEqual([
      'NodeResourcesBalancedAllocation',
      'NodeResourcesLeastAllocated',
      'PodTopologySpread',
    ]);
  });

  it.each(batched.map((p) => [p.name, p] as const))('gives what score gives, node by node, for %s', (_name, plugin) => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ cpu: fc.integer({ min: 1, max: 8 }), zone: fc.constantFrom('a', 'b', '') }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.record({ node: fc.nat(), cpu: fc.integer({ min: 0, max: 2000 }), mine: fc.boolean() }), {
          maxLength: 30,
        }),
        fc.integer({ min: 0, max: 1500 }),
        (nodeSpecs, podSpecs, cpu) => {
          const nodes = nodeSpecs.map((n, i) =>
            makeNode({ name: `n${i}`, cpu: String(n.cpu), ...(n.zone ? { zone: n.zone } : {}) }),
          );
          const pods = podSpecs.map((p, i) =>
            makePod({
              name: `e${i}`,
              nodeName: `n${p.node % nodes.length}`,
              cpu: p.cpu ? `${p.cpu}m` : undefined,
              labels: p.mine ? { app: 'web' } : { app: 'other' },
              ownerReferences: p.mine ? ownedBy(rs) : undefined,
            }),
          );
          const snapshot = createSchedulerCache({ nodes, pods, replicaSets: [rs] }).snapshot();
          const pod = makePod({
            name: 'p',
            cpu: cpu ? `${cpu}m` : undefined,
            labels: { app: 'web' },
            ownerReferences: ownedBy(rs),
          });
          const state = new CycleState();
          if (plugin.preScore?.(pod, state, snapshot.nodeInfos, snapshot).code === 'Skip') return;
          const out: number[] = [];
          plugin.scoreNodes!(pod, snapshot.nodeInfos, state, out);
          expect(out).toEqual(snapshot.nodeInfos.map((n) => plugin.score(pod, n, state)));
        },
      ),
    );
  });
});
