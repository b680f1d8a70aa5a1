import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import {
  desiredTaints,
  lastProbeMs,
  unknownConditions,
} from '../../../../core/controllers/nodelifecycle/conditions.ts';
import { evictionTime } from '../../../../core/controllers/nodelifecycle/eviction.ts';
import { planNode, planPods, podsMatter } from '../../../../core/controllers/nodelifecycle/plan.ts';

const T0 = '2025-01-01T00:00:00Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000);
const GRACE = 40_000;

function node(o: { ready?: string; heartbeat?: number; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  const conditions = o.ready
    ? [
        {
          type: 'Ready',
          status: o.ready,
          reason: 'KubeletReady',
          lastHeartbeatTime: at(o.heartbeat ?? 0).toISOString(),
          lastTransitionTime: T0,
        },
      ]
    : [];
  return {
    metadata: { name: 'n1', creationTimestamp: T0 },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: { conditions },
  };
}
const lease = (renewed: number): Lease => ({
  metadata: { name: 'n1' },
  spec: { renewTime: at(renewed).toISOString() },
});
const keys = (taints: readonly Taint[] | undefined) => (taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();

describe('lastProbeMs', () => {
  it('takes the latest of lease renewal, Ready heartbeat and creation', () => {
    expect(lastProbeMs(node({ ready: 'True', heartbeat: 5 }), lease(30))).toBe(at(30).getTime());
    expect(lastProbeMs(node({ ready: 'True', heartbeat: 50 }), lease(30))).toBe(at(50).getTime());
    expect(lastProbeMs(node(), undefined)).toBe(at(0).getTime());
  });
});

describe('planNode', () => {
  it('leaves a node with a fresh lease alone and asks to look again when it would go stale', () => {
    const plan = planNode(node({ ready: 'True' }), lease(30), at(50), GRACE);
    expect(plan).toMatchObject({ ready: 'True', events: [] });
    expect(plan.conditions).toBeUndefined();
    expect(plan.taints).toBeUndefined();
    expect(plan.requeueAfterMs).toBe(20_100);
  });

  it('marks a node whose lease is older than the grace period Unknown and taints it unreachable', () => {
    const plan = planNode(node({ ready: 'True' }), lease(0), at(41), GRACE);
    expect(plan.conditions?.find((c) => c.type === 'Ready')).toEqual({
      type: 'Ready',
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: at(0).toISOString(),
      lastTransitionTime: '2025-01-01T00:00:41Z',
    });
    expect(keys(plan.taints)).toEqual([
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unreachable:NoSchedule',
    ]);
    expect(plan.taints?.find((t) => t.effect === 'NoExecute')?.timeAdded).toBe('2025-01-01T00:00:41Z');
    expect(plan.events).toEqual([
      { type: 'Normal', reason: 'NodeNotReady', message: 'Node n1 status is now: NodeNotReady' },
    ]);
    expect(plan.requeueAfterMs).toBeUndefined();
  });

  it('changes nothing more once the node already shows it', () => {
    const first = planNode(node({ ready: 'True' }), lease(0), at(41), GRACE);
    const after: Node = { ...node(), spec: { taints: first.taints }, status: { conditions: first.conditions } };
    const again = planNode(after, lease(0), at(60), GRACE);
    expect(again).toMatchObject({ ready: 'Unknown', events: [] });
    expect(again.conditions).toBeUndefined();
    expect(again.taints).toBeUndefined();
  });

  it.each([
    [
      'a kubelet reporting Ready=False',
      node({ ready: 'False', heartbeat: 10 }),
      ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule'],
    ],
    [
      'a cordoned node',
      node({ ready: 'True', heartbeat: 10, unschedulable: true }),
      ['node.kubernetes.io/unschedulable:NoSchedule'],
    ],
    [
      'a user taint',
      node({ ready: 'True', heartbeat: 10, taints: [{ key: 'dedicated', effect: 'NoSchedule' }] }),
      ['dedicated:NoSchedule'],
    ],
  ])('taints %s accordingly', (_name, n, want) => {
    expect(keys(planNode(n, undefined, at(20), GRACE).taintsAfter)).toEqual(want);
  });

  it('untaints a node that came back Ready and says so', () => {
    const taints: Taint[] = [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: T0 },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'dedicated', effect: 'NoSchedule' },
    ];
    const plan = planNode(node({ ready: 'True', heartbeat: 100, taints }), lease(100), at(101), GRACE);
    expect(keys(plan.taints)).toEqual(['dedicated:NoSchedule']);
    expect(plan.events).toEqual([{ type: 'Normal', reason: 'NodeReady', message: 'Node n1 status is now: NodeReady' }]);
  });

  it('posts Ready Unknown for a node whose kubelet never posted status', () => {
    const conditions = unknownConditions(node(), at(50));
    expect(conditions).toEqual([
      expect.objectContaining({
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
      }),
    ]);
  });

  it('keeps the timeAdded of taints it keeps', () => {
    const kept = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' as const, timeAdded: T0 };
    const taints = desiredTaints(
      node({ ready: 'False', taints: [kept] }),
      node({ ready: 'False' }).status?.conditions ?? [],
      at(90),
    );
    expect(taints).toContainEqual(kept);
  });
});

function pod(name: string, tolerations?: Toleration[], ready = 'True'): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { nodeName: 'n1', containers: [], tolerations },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready }] },
  };
}
const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: T0 };

describe('evictionTime', () => {
  it.each([
    ['no toleration: now', undefined, { at: 'now' }],
    [
      'a toleration without seconds: never',
      [{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute' }],
      { at: 'never' },
    ],
    [
      '300 s: 300 s after the taint',
      [{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      { at: 'later', ms: at(300).getTime() },
    ],
    [
      'the shortest of the tolerations used',
      [
        { operator: 'Exists', tolerationSeconds: 100 },
        { key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      { at: 'later', ms: at(100).getTime() },
    ],
    ['an expired toleration: now', [{ key: unreachable.key, operator: 'Exists', tolerationSeconds: 5 }], { at: 'now' }],
    [
      'a toleration of another taint only: now',
      [{ key: 'other', operator: 'Exists', tolerationSeconds: 900 }],
      { at: 'now' },
    ],
  ])('%s', (_name, tolerations, want) => {
    expect(evictionTime(pod('p', tolerations as never), [unreachable], at(10).getTime())).toEqual(want);
  });

  it('ignores NoSchedule taints', () => {
    expect(evictionTime(pod('p'), [{ key: 'x', effect: 'NoSchedule' }], 0)).toEqual({ at: 'never' });
  });
});

describe('planPods', () => {
  it('evicts untolerating pods, marks the others not ready and requeues for the next toleration', () => {
    const plan = planNode(node({ ready: 'True' }), lease(0), at(41), GRACE);
    expect(podsMatter(plan)).toBe(true);
    const tolerant = pod('tolerant', [
      { key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3 },
    ]);
    const forever = pod('daemon', [{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute' }]);
    const bare = pod('bare');
    const gone = { ...pod('gone'), metadata: { name: 'gone', deletionTimestamp: T0 } };
    const pods = planPods(plan, [tolerant, forever, bare, gone], at(41));
    expect(pods.evict.map((p) => p.metadata?.name)).toEqual(['bare']);
    expect(pods.markNotReady.map((p) => p.metadata?.name)).toEqual(['tolerant', 'daemon']);
    expect(pods.requeueAfterMs).toBe(3_050);
    expect(planPods(plan, [tolerant], at(44)).evict).toEqual([tolerant]);
  });

  it('has nothing to do for the pods of a healthy node', () => {
    expect(podsMatter(planNode(node({ ready: 'True' }), lease(30), at(50), GRACE))).toBe(false);
  });
});
