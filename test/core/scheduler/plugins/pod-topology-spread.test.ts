import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { createSchedulerCache } from '../../../../core/scheduler/cache.ts';
import { CycleState, type Status } from '../../../../core/scheduler/framework.ts';
import {
  ERR_REASON_CONSTRAINTS_NOT_MATCH,
  ERR_REASON_NODE_LABEL_NOT_MATCH,
  podTopologySpread,
} from '../../../../core/scheduler/plugins/pod-topology-spread.ts';
import { makeNode, makePod, makeReplicaSet, ownedBy, type PodSpec } from '../../../fixtures/scheduler.ts';

const web = { app: 'web' };
const zoneSpread = (extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew: 1,
  topologyKey: 'topology.kubernetes.io/zone',
  whenUnsatisfiable: 'DoNotSchedule',
  labelSelector: { matchLabels: web },
  ...extra,
});

/** Runs PreFilter then Filter on every node; returns node name → status. */
function filterAll(pod: PodSpec, nodes: ReturnType<typeof makeNode>[], pods: PodSpec[]): Record<string, Status> {
  const snapshot = createSchedulerCache({ nodes, pods: pods.map(makePod) }).snapshot();
  const p = makePod(pod);
  const state = new CycleState();
  podTopologySpread.preFilter(p, state, snapshot);
  return Object.fromEntries(snapshot.nodeInfos.map((n) => [n.name, podTopologySpread.filter(p, n, state)]));
}

const zonal = [
  makeNode({ name: 'a1', zone: 'a' }),
  makeNode({ name: 'b1', zone: 'b' }),
  makeNode({ name: 'c1', zone: 'c' }),
];
// 2 / 2 / 1 across zones a / b / c.
const spread221: PodSpec[] = [
  { name: 'w1', labels: web, nodeName: 'a1' },
  { name: 'w2', labels: web, nodeName: 'a1' },
  { name: 'w3', labels: web, nodeName: 'b1' },
  { name: 'w4', labels: web, nodeName: 'b1' },
  { name: 'w5', labels: web, nodeName: 'c1' },
];

function passing(result: Record<string, Status>): string[] {
  return Object.entries(result)
    .filter(([, s]) => s.code === 'Success')
    .map(([n]) => n)
    .sort();
}

describe('PodTopologySpread filter', () => {
  it('only admits the zone that keeps the skew within maxSkew', () => {
    const result = filterAll({ name: 'p', labels: web, topologySpreadConstraints: [zoneSpread()] }, zonal, spread221);
    expect(passing(result)).toEqual(['c1']);
    expect(result.a1).toEqual({ code: 'Unschedulable', reasons: [ERR_REASON_CONSTRAINTS_NOT_MATCH] });
  });

  it('admits every zone when maxSkew allows it', () => {
    const result = filterAll(
      { name: 'p', labels: web, topologySpreadConstraints: [zoneSpread({ maxSkew: 2 })] },
      zonal,
      spread221,
    );
    expect(passing(result)).toEqual(['a1', 'b1', 'c1']);
  });

  it('does not count the pod itself when its labels do not match', () => {
    const result = filterAll(
      { name: 'p', labels: { app: 'other' }, topologySpreadConstraints: [zoneSpread()] },
      zonal,
      spread221,
    );
    expect(passing(result)).toEqual(['a1', 'b1', 'c1']);
  });

  it('rejects nodes without the topology key as unresolvable', () => {
    const nodes = [...zonal, makeNode({ name: 'nozone' })];
    const result = filterAll({ name: 'p', labels: web, topologySpreadConstraints: [zoneSpread()] }, nodes, spread221);
    expect(result.nozone).toEqual({ code: 'UnschedulableAndUnresolvable', reasons: [ERR_REASON_NODE_LABEL_NOT_MATCH] });
    expect(ERR_REASON_NODE_LABEL_NOT_MATCH).toBe(
      "node(s) didn't match pod topology spread constraints (missing required label)",
    );
  });

  it('treats the global minimum as 0 while there are fewer domains than minDomains', () => {
    const pods = [
      { name: 'w1', labels: web, nodeName: 'a1' },
      { name: 'w2', labels: web, nodeName: 'b1' },
    ];
    const nodes = zonal.slice(0, 2);
    expect(
      passing(filterAll({ name: 'p', labels: web, topologySpreadConstraints: [zoneSpread()] }, nodes, pods)),
    ).toEqual(['a1', 'b1']);
    const withMin = filterAll(
      { name: 'p', labels: web, topologySpreadConstraints: [zoneSpread({ minDomains: 3 })] },
      nodes,
      pods,
    );
    expect(passing(withMin)).toEqual([]);
  });

  it('ignores terminating pods and pods in other namespaces', () => {
    const pods: PodSpec[] = [
      { name: 'w1', labels: web, nodeName: 'a1', deletionTimestamp: '2025-01-01T00:00:00Z' },
      { name: 'w2', labels: web, nodeName: 'a1', namespace: 'other' },
      { name: 'w3', labels: web, nodeName: 'b1' },
      { name: 'w4', labels: web, nodeName: 'c1' },
    ];
    expect(
      passing(filterAll({ name: 'p', labels: web, topologySpreadConstraints: [zoneSpread()] }, zonal, pods)),
    ).toEqual(['a1']);
  });

  it('narrows the selector with matchLabelKeys', () => {
    const pods: PodSpec[] = [
      { name: 'old1', labels: { ...web, hash: 'old' }, nodeName: 'a1' },
      { name: 'old2', labels: { ...web, hash: 'old' }, nodeName: 'a1' },
      { name: 'new1', labels: { ...web, hash: 'new' }, nodeName: 'b1' },
    ];
    const pod = { name: 'p', labels: { ...web, hash: 'new' } };
    const plain = filterAll({ ...pod, topologySpreadConstraints: [zoneSpread()] }, zonal, pods);
    expect(passing(plain)).toEqual(['c1']);
    const keyed = filterAll(
      { ...pod, topologySpreadConstraints: [zoneSpread({ matchLabelKeys: ['hash'] })] },
      zonal,
      pods,
    );
    expect(passing(keyed)).toEqual(['a1', 'c1']);
  });

  it('leaves domains the pod cannot reach out of the minimum (nodeAffinityPolicy Honor)', () => {
    const nodes = [
      makeNode({ name: 'a1', zone: 'a', labels: { pool: 'x' } }),
      makeNode({ name: 'b1', zone: 'b', labels: { pool: 'x' } }),
      makeNode({ name: 'c1', zone: 'c' }),
    ];
    const pods: PodSpec[] = [
      { name: 'w1', labels: web, nodeName: 'a1' },
      { name: 'w2', labels: web, nodeName: 'b1' },
    ];
    const honored = filterAll(
      { name: 'p', labels: web, nodeSelector: { pool: 'x' }, topologySpreadConstraints: [zoneSpread()] },
      nodes,
      pods,
    );
    expect(passing(honored)).toEqual(['a1', 'b1', 'c1']);
    const ignored = filterAll(
      {
        name: 'p',
        labels: web,
        nodeSelector: { pool: 'x' },
        topologySpreadConstraints: [zoneSpread({ nodeAffinityPolicy: 'Ignore' })],
      },
      nodes,
      pods,
    );
    expect(passing(ignored)).toEqual(['c1']);
  });

  it('leaves tainted domains out only with nodeTaintsPolicy Honor', () => {
    const nodes = [
      ...zonal.slice(0, 2),
      makeNode({ name: 'c1', zone: 'c', taints: [{ key: 'k', effect: 'NoSchedule' }] }),
    ];
    const pods: PodSpec[] = [
      { name: 'w1', labels: web, nodeName: 'a1' },
      { name: 'w2', labels: web, nodeName: 'b1' },
    ];
    const def = filterAll({ name: 'p', labels: web, topologySpreadConstraints: [zoneSpread()] }, nodes, pods);
    expect(passing(def)).toEqual(['c1']);
    const honor = filterAll(
      { name: 'p', labels: web, topologySpreadConstraints: [zoneSpread({ nodeTaintsPolicy: 'Honor' })] },
      nodes,
      pods,
    );
    expect(passing(honor)).toEqual(['a1', 'b1', 'c1']);
  });

  it('skips pods without DoNotSchedule constraints', () => {
    const snapshot = createSchedulerCache({ nodes: zonal }).snapshot();
    const pod = makePod({
      name: 'p',
      topologySpreadConstraints: [zoneSpread({ whenUnsatisfiable: 'ScheduleAnyway' })],
    });
    expect(podTopologySpread.preFilter(pod, new CycleState(), snapshot).status.code).toBe('Skip');
  });
});

/** Runs PreScore, Score and normalize over every node of the snapshot. */
function scoreAll(pod: ReturnType<typeof makePod>, cache: ReturnType<typeof createSchedulerCache>): number[] | 'Skip' {
  const snapshot = cache.snapshot();
  const state = new CycleState();
  const nodes = snapshot.nodeInfos;
  if (podTopologySpread.preScore(pod, state, nodes, snapshot).code === 'Skip') return 'Skip';
  const scores = nodes.map((n) => podTopologySpread.score(pod, n, state));
  podTopologySpread.normalize(scores, nodes, state);
  return scores;
}

describe('PodTopologySpread score', () => {
  it('prefers hosts with fewer matching pods', () => {
    const nodes = ['n0', 'n1', 'n2'].map((name) => makeNode({ name }));
    const pods = [
      makePod({ name: 'w1', labels: web, nodeName: 'n1' }),
      makePod({ name: 'w2', labels: web, nodeName: 'n2' }),
      makePod({ name: 'w3', labels: web, nodeName: 'n2' }),
    ];
    const pod = makePod({
      name: 'p',
      labels: web,
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: web },
        },
      ],
    });
    // raw: count × ln(3 + 2) → 0, 2, 3; normalized: 100 × (max + min - s) / max
    expect(scoreAll(pod, createSchedulerCache({ nodes, pods }))).toEqual([100, 33, 0]);
  });

  it('scores nodes missing a topology key 0 when the pod states its constraints', () => {
    const nodes = [makeNode({ name: 'a1', zone: 'a' }), makeNode({ name: 'nozone' })];
    const pod = makePod({
      name: 'p',
      labels: web,
      topologySpreadConstraints: [zoneSpread({ whenUnsatisfiable: 'ScheduleAnyway' })],
    });
    expect(scoreAll(pod, createSchedulerCache({ nodes }))).toEqual([100, 0]);
  });

  it('spreads a ReplicaSet by the system default constraints', () => {
    const rs = makeReplicaSet('web', web);
    const nodes = [makeNode({ name: 'n0' }), makeNode({ name: 'n1' })];
    const pods = [0, 1].map((i) =>
      makePod({ name: `w${i}`, labels: web, nodeName: 'n0', ownerReferences: ownedBy(rs) }),
    );
    const cache = createSchedulerCache({ nodes, pods, replicaSets: [rs] });
    const pod = makePod({ name: 'p', labels: web, ownerReferences: ownedBy(rs) });
    // hostname maxSkew 3: raw n0 = round(2 × ln 4 + 2) = 5, n1 = 2.
    expect(scoreAll(pod, cache)).toEqual([40, 100]);
  });

  it('skips pods no workload selects', () => {
    const cache = createSchedulerCache({ nodes: [makeNode({ name: 'n0' })] });
    expect(scoreAll(makePod({ name: 'p', labels: web }), cache)).toBe('Skip');
  });
});
