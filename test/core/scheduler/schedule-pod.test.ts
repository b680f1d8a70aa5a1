import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { createSchedulerCache } from '../../../core/scheduler/cache.ts';
import { buildProfile, type SchedulerProfile } from '../../../core/scheduler/config.ts';
import { CycleState, isSuccess, type Snapshot } from '../../../core/scheduler/framework.ts';
import { type ScheduleFailure, type ScheduleSuccess, schedulePod } from '../../../core/scheduler/schedule-pod.ts';
import { makeNode, makePod } from '../../fixtures/scheduler.ts';

const first = () => 0.999; // never replaces the first best node
const last = () => 0; // always replaces: the last best node wins

function schedule(nodes: Node[], pods: Pod[], pod: Pod, profile = buildProfile(), rng = first) {
  return schedulePod(pod, createSchedulerCache({ nodes, pods }).snapshot(), profile, rng);
}

function failure(r: ReturnType<typeof schedule>): ScheduleFailure {
  if (!('unschedulable' in r)) throw new Error(`expected failure, got ${JSON.stringify(r)}`);
  return r;
}

function success(r: ReturnType<typeof schedule>): ScheduleSuccess {
  if ('unschedulable' in r) throw new Error(`expected success, got ${r.message}`);
  return r;
}

/** Whether every filter of the profile passes the node, checked independently of schedulePod. */
function feasible(pod: Pod, snapshot: Snapshot, profile: SchedulerProfile, node: string): boolean {
  const state = new CycleState();
  for (const p of profile.preFilters) p.preFilter(pod, state, snapshot);
  return profile.filters.every((f) => isSuccess(f.filter(pod, snapshot.get(node)!, state)));
}

describe('schedulePod', () => {
  it('reports an empty cluster as Kubernetes does', () => {
    const r = failure(schedule([], [], makePod({ name: 'p' })));
    expect(r.message).toBe('no nodes available to schedule pods');
  });

  it('explains a failure with counted, sorted reasons and a per-node diagnosis', () => {
    const nodes = [
      makeNode({ name: 'small1', cpu: '1' }),
      makeNode({ name: 'small2', cpu: '1' }),
      makeNode({ name: 'gpu', cpu: '8', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    ];
    const r = failure(schedule(nodes, [], makePod({ name: 'p', cpu: '2' })));
    expect(r.message).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.',
    );
    expect(Object.fromEntries(r.diagnosis)).toEqual({
      small1: ['Insufficient cpu'],
      small2: ['Insufficient cpu'],
      gpu: ['node(s) had untolerated taint {dedicated: gpu}'],
    });
    expect([...r.unschedulablePlugins].sort()).toEqual(['NodeResourcesFit', 'TaintToleration']);
  });

  it('reports the first failing filter per node, in configured order', () => {
    const nodes = [makeNode({ name: 'n1', cpu: '1', unschedulable: true, ready: false })];
    expect(failure(schedule(nodes, [], makePod({ name: 'p', cpu: '2' }))).message).toBe(
      '0/1 nodes are available: 1 node(s) were unschedulable.',
    );
  });

  it('returns the only feasible node', () => {
    const nodes = [makeNode({ name: 'n1', cpu: '1' }), makeNode({ name: 'n2', cpu: '4' })];
    expect(success(schedule(nodes, [], makePod({ name: 'p', cpu: '2' })))).toEqual({
      nodeName: 'n2',
      evaluatedNodes: 2,
      feasibleNodes: 1,
    });
  });

  it('weighs plugin scores by configuration', () => {
    const nodes = [
      makeNode({ name: 'tainted-empty', taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }),
      makeNode({ name: 'clean-busy' }),
    ];
    const pods = [makePod({ name: 'busy', cpu: '3', memory: '6Gi', nodeName: 'clean-busy' })];
    const pod = makePod({ name: 'p', cpu: '100m', memory: '100Mi' });
    // Defaults: TaintToleration (weight 3) outweighs LeastAllocated (weight 1).
    expect(success(schedule(nodes, pods, pod)).nodeName).toBe('clean-busy');
    const leastAllocatedFirst = buildProfile({
      plugins: [
        { name: 'TaintToleration', weight: 1 },
        { name: 'NodeResourcesFit' },
        { name: 'NodeResourcesLeastAllocated', weight: 10 },
      ],
    });
    expect(success(schedule(nodes, pods, pod, leastAllocatedFirst)).nodeName).toBe('tainted-empty');
  });

  it('follows preferred node affinity', () => {
    const nodes = ['a', 'b', 'c'].map((name) => makeNode({ name, labels: { disk: name === 'b' ? 'ssd' : 'hdd' } }));
    const pod = makePod({
      name: 'p',
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 1, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
          ],
        },
      },
    });
    expect(success(schedule(nodes, [], pod)).nodeName).toBe('b');
  });

  it('breaks ties with the random source', () => {
    const nodes = ['n1', 'n2', 'n3'].map((name) => makeNode({ name }));
    expect(success(schedule(nodes, [], makePod({ name: 'p' }), buildProfile(), first)).nodeName).toBe('n1');
    expect(success(schedule(nodes, [], makePod({ name: 'p' }), buildProfile(), last)).nodeName).toBe('n3');
  });

  it('filters only the nodes a DaemonSet-style pod pins, counting the rest as left out', () => {
    const nodes = ['n1', 'n2', 'n3'].map((name) => makeNode({ name, cpu: name === 'n2' ? '1' : '4' }));
    const pinned = (node: string) =>
      makePod({
        name: 'ds',
        cpu: '2',
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }],
            },
          },
        },
      });
    expect(success(schedule(nodes, [], pinned('n3')))).toEqual({ nodeName: 'n3', evaluatedNodes: 1, feasibleNodes: 1 });
    const r = failure(schedule(nodes, [], pinned('n2')));
    expect(r.message).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].",
    );
    expect([...r.diagnosis.keys()]).toEqual(['n2']);
    expect(failure(schedule(nodes, [], pinned('gone'))).message).toBe(
      "0/3 nodes are available: 3 node(s) didn't satisfy plugin(s) [NodeAffinity].",
    );
  });

  it('fails every node with the PreFilter message when PreFilter rejects', () => {
    const nodes = ['n1', 'n2'].map((name) => makeNode({ name }));
    const pod = makePod({
      name: 'p',
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchFields: [
                  { key: 'metadata.name', operator: 'In', values: ['n1'] },
                  { key: 'metadata.name', operator: 'In', values: ['n2'] },
                ],
              },
            ],
          },
        },
      },
    });
    const r = failure(schedule(nodes, [], pod));
    expect(r.message).toBe('0/2 nodes are available: pod affinity terms conflict.');
    expect(r.diagnosis.size).toBe(2);
  });

  it('counts pods assumed earlier in the batch against capacity', () => {
    const cache = createSchedulerCache({ nodes: [makeNode({ name: 'n1', cpu: '2' })] });
    const profile = buildProfile();
    const placed: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const pod = makePod({ name, cpu: '1' });
      const r = schedulePod(pod, cache.snapshot(), profile, first);
      if ('unschedulable' in r) placed.push(r.message);
      else {
        cache.assume(pod, r.nodeName);
        placed.push(r.nodeName);
      }
    }
    expect(placed).toEqual(['n1', 'n1', '0/1 nodes are available: 1 Insufficient cpu.']);
  });
});

describe('schedulePod sampling', () => {
  const many = (n: number, bad: (i: number) => boolean) =>
    Array.from({ length: n }, (_, i) =>
      makeNode({ name: `n${String(i).padStart(3, '0')}`, cpu: bad(i) ? '100m' : '4' }),
    );

  it('stops after the adaptive number of feasible nodes and rotates the start', () => {
    const profile = buildProfile();
    const snapshot = createSchedulerCache({ nodes: many(300, () => false) }).snapshot();
    const r1 = success(schedulePod(makePod({ name: 'p' }), snapshot, profile, first));
    expect([r1.evaluatedNodes, r1.feasibleNodes]).toEqual([144, 144]); // 300 × (50 - 2)%
    expect(profile.sampling.nextStartNodeIndex).toBe(144);
    const r2 = success(schedulePod(makePod({ name: 'q' }), snapshot, profile, first));
    expect(r2.nodeName).not.toBe(r1.nodeName);
    expect(profile.sampling.nextStartNodeIndex).toBe(288);
    schedulePod(makePod({ name: 'r' }), snapshot, profile, first);
    expect(profile.sampling.nextStartNodeIndex).toBe((288 + 144) % 300);
  });

  it.each([
    { name: 'a sparse', bad: (i: number) => i % 3 !== 0, feasibleNodes: 134, stopsEarly: false },
    { name: 'a dense', bad: (i: number) => i % 3 === 0, feasibleNodes: 188, stopsEarly: true },
  ])('never picks an infeasible node in $name cluster', ({ bad, feasibleNodes, stopsEarly }) => {
    const profile = buildProfile({ plugins: [{ name: 'NodeResourcesFit' }, { name: 'NodeResourcesLeastAllocated' }] });
    const snapshot = createSchedulerCache({ nodes: many(400, bad) }).snapshot();
    for (let k = 0; k < 20; k++) {
      const pod = makePod({ name: `p${k}`, cpu: '1' });
      const r = success(schedulePod(pod, snapshot, profile, Math.random));
      expect(feasible(pod, snapshot, profile, r.nodeName)).toBe(true);
      // 400 nodes → 47% → 188 wanted; the sparse cluster has fewer feasible nodes than that.
      expect(r.feasibleNodes).toBe(feasibleNodes);
      expect(r.evaluatedNodes < 400).toBe(stopsEarly);
    }
  });
});
