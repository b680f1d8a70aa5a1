import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import {
  CONTROLLER_REVISION_HASH_LABEL,
  daemonPodFor,
  daemonSetHash,
  targetNodeName,
} from '../../../../core/controllers/daemonset/pod.ts';
import { planDaemonSet } from '../../../../core/controllers/daemonset/plan.ts';
import { daemonSetBudget } from '../../../../core/controllers/daemonset/rolling.ts';
import { makeNode } from '../../../fixtures/scheduler.ts';
import { makeDaemonSet, merge } from '../../../fixtures/objects.ts';

const NOW = new Date('2025-01-01T00:10:00Z');

const ds = (overrides: Record<string, unknown> = {}): DaemonSet =>
  merge(makeDaemonSet({ metadata: { uid: 'ds-uid', generation: 1 } }), overrides) as DaemonSet;

let seq = 0;
/** A daemon pod of `set` on `node`, bound, optionally ready and of another template hash. */
function podOn(
  set: DaemonSet,
  node: string,
  opts: { ready?: boolean; hash?: string; phase?: string; terminating?: boolean } = {},
): Pod {
  const p = daemonPodFor(set, node);
  p.metadata = {
    ...p.metadata,
    name: `agent-${++seq}`,
    uid: `pod-${seq}`,
    creationTimestamp: `2025-01-01T00:00:${String(seq % 60).padStart(2, '0')}Z`,
    labels: { ...p.metadata?.labels, ...(opts.hash ? { [CONTROLLER_REVISION_HASH_LABEL]: opts.hash } : {}) },
    ...(opts.terminating ? { deletionTimestamp: '2025-01-01T00:09:00Z' } : {}),
  };
  p.spec = { ...p.spec, containers: p.spec?.containers ?? [], nodeName: node };
  const status = {
    phase: opts.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
  };
  return { ...p, status };
}

const nodes = (...names: string[]) => names.map((name) => makeNode({ name }));

describe('daemonPodFor', () => {
  it('pins the pod to its node, adds the daemon tolerations and labels it with the template hash', () => {
    const p = daemonPodFor(ds({ spec: { template: { spec: { nodeSelector: { disk: 'ssd' } } } } }), 'n1');
    expect(p.metadata?.generateName).toBe('agent-');
    expect(p.metadata?.labels).toMatchObject({ app: 'agent', 'pod-template-generation': '1' });
    expect(p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL]).toBe(
      daemonSetHash(ds({ spec: { template: { spec: { nodeSelector: { disk: 'ssd' } } } } })),
    );
    expect(p.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        name: 'agent',
        uid: 'ds-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
    });
    expect(p.spec?.tolerations?.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(targetNodeName(p)).toBe('n1');
  });

  it('keeps label requirements of required terms and replaces their field requirements', () => {
    const terms = [
      {
        matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }],
        matchFields: [{ key: 'metadata.name', operator: 'In', values: ['x'] }],
      },
    ];
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
    const p = daemonPodFor(ds({ spec: { template: { spec: { affinity } } } }), 'n2');
    expect(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      {
        matchExpressions: terms[0].matchExpressions,
        matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }],
      },
    ]);
  });
});

describe('planDaemonSet', () => {
  it.each([
    ['every node without a pod gets one', nodes('a', 'b', 'c'), {}, ['a', 'b', 'c'], 3],
    [
      'a nodeSelector picks matching nodes',
      [makeNode({ name: 'a', labels: { disk: 'ssd' } }), makeNode({ name: 'b' })],
      { spec: { template: { spec: { nodeSelector: { disk: 'ssd' } } } } },
      ['a'],
      1,
    ],
    [
      'an untolerated NoSchedule taint keeps the node out',
      [
        makeNode({ name: 'a', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
        makeNode({ name: 'b' }),
      ],
      {},
      ['b'],
      1,
    ],
    [
      'a tolerated taint lets the node in',
      [makeNode({ name: 'a', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })],
      { spec: { template: { spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }] } } } },
      ['a'],
      1,
    ],
    [
      'a cordoned node still runs daemon pods',
      [
        makeNode({
          name: 'a',
          unschedulable: true,
          taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
        }),
      ],
      {},
      ['a'],
      1,
    ],
    [
      'an unreachable node still runs daemon pods',
      [
        makeNode({
          name: 'a',
          ready: 'Unknown',
          taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }],
        }),
      ],
      {},
      ['a'],
      1,
    ],
    [
      'required node affinity picks matching nodes',
      [makeNode({ name: 'a', zone: 'z1' }), makeNode({ name: 'b', zone: 'z2' })],
      {
        spec: {
          template: {
            spec: {
              affinity: {
                nodeAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [
                      { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['z2'] }] },
                    ],
                  },
                },
              },
            },
          },
        },
      },
      ['b'],
      1,
    ],
  ])('%s', (_name, nodeList, overrides, create, desired) => {
    const plan = planDaemonSet({ daemonSet: ds(overrides), nodes: nodeList, pods: [], now: NOW });
    expect(plan.create).toEqual(create);
    expect(plan.delete).toEqual([]);
    expect(plan.status.desiredNumberScheduled).toBe(desired);
  });

  it('asks for nothing once every node runs a ready, current pod, and counts them', () => {
    const set = ds();
    const pods = ['a', 'b'].map((n) => podOn(set, n));
    const plan = planDaemonSet({ daemonSet: set, nodes: nodes('a', 'b'), pods, now: NOW });
    expect(plan).toMatchObject({ create: [], delete: [], adopt: [] });
    expect(plan.status).toEqual({
      currentNumberScheduled: 2,
      desiredNumberScheduled: 2,
      numberMisscheduled: 0,
      numberReady: 2,
      numberAvailable: 2,
      updatedNumberScheduled: 2,
      observedGeneration: 1,
    });
  });

  it('deletes pods of removed nodes, misscheduled pods under NoExecute, failed pods and duplicates', () => {
    const set = ds();
    const gone = podOn(set, 'gone');
    const evicted = podOn(set, 'tainted');
    const failed = podOn(set, 'a', { phase: 'Failed' });
    const keep = podOn(set, 'b');
    const dup = podOn(set, 'b');
    const tainted = makeNode({ name: 'tainted', taints: [{ key: 'k', effect: 'NoExecute' }] });
    const plan = planDaemonSet({
      daemonSet: set,
      nodes: [...nodes('a', 'b'), tainted],
      pods: [gone, evicted, failed, keep, dup],
      now: NOW,
    });
    expect(plan.delete.map((p) => p.metadata?.name).sort()).toEqual(
      [dup, evicted, failed, gone].map((p) => p.metadata?.name).sort(),
    );
    expect(plan.create).toEqual(['a']);
    expect(plan.status.numberMisscheduled).toBe(1);
  });

  it('keeps a pod on a node that gained an untolerated NoSchedule taint, counted as misscheduled', () => {
    const set = ds();
    const pod = podOn(set, 'a');
    const node = makeNode({ name: 'a', taints: [{ key: 'k', effect: 'NoSchedule' }] });
    const plan = planDaemonSet({ daemonSet: set, nodes: [node], pods: [pod], now: NOW });
    expect(plan.delete).toEqual([]);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 0, numberMisscheduled: 1 });
  });

  it('waits for a terminating pod to go before creating its replacement', () => {
    const set = ds();
    const plan = planDaemonSet({
      daemonSet: set,
      nodes: nodes('a'),
      pods: [podOn(set, 'a', { terminating: true })],
      now: NOW,
    });
    expect(plan.create).toEqual([]);
    expect(plan.status.currentNumberScheduled).toBe(1);
  });

  it('adopts a matching orphan and leaves pods of other controllers alone', () => {
    const set = ds();
    const orphan = podOn(set, 'a');
    orphan.metadata = { ...orphan.metadata, ownerReferences: [] };
    const foreign = podOn(set, 'b');
    foreign.metadata = {
      ...foreign.metadata,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'x', uid: 'other', controller: true }],
    };
    const plan = planDaemonSet({ daemonSet: set, nodes: nodes('a', 'b'), pods: [orphan, foreign], now: NOW });
    expect(plan.adopt).toEqual([orphan]);
    expect(plan.create).toEqual(['b']);
  });

  it.each([
    // [maxUnavailable, maxSurge, ready old pods, expected deletes, expected creates]
    [1, 0, true, 1, 0],
    [2, 0, true, 2, 0],
    ['50%', 0, true, 2, 0],
    [0, 1, true, 0, 1],
    [0, '50%', true, 0, 2],
    [1, 0, false, 4, 0],
  ])(
    'rolls %s unavailable / %s surge over 4 nodes (old ready: %s)',
    (maxUnavailable, maxSurge, ready, deletes, creates) => {
      const old = ds({ spec: { template: { metadata: { labels: { app: 'agent', v: '1' } } } } });
      const set = ds({
        spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable, maxSurge } } },
      });
      const pods = ['a', 'b', 'c', 'd'].map((n) => podOn(old, n, { ready }));
      const plan = planDaemonSet({ daemonSet: set, nodes: nodes('a', 'b', 'c', 'd'), pods, now: NOW });
      expect(plan.delete).toHaveLength(deletes);
      expect(plan.create).toHaveLength(creates);
      expect(plan.status.updatedNumberScheduled).toBeUndefined();
    },
  );

  it('never takes more than maxUnavailable nodes down while new pods are not ready', () => {
    const old = ds({ spec: { template: { metadata: { labels: { app: 'agent', v: '1' } } } } });
    const set = ds();
    const pods = [podOn(set, 'a', { ready: false }), ...['b', 'c'].map((n) => podOn(old, n))];
    const plan = planDaemonSet({ daemonSet: set, nodes: nodes('a', 'b', 'c'), pods, now: NOW });
    expect(plan.delete).toEqual([]);
    expect(plan.status).toMatchObject({
      updatedNumberScheduled: 1,
      numberReady: 2,
      numberAvailable: 2,
      numberUnavailable: 1,
    });
  });

  it('deletes the old pod once the surged new pod is available', () => {
    const old = ds({ spec: { template: { metadata: { labels: { app: 'agent', v: '1' } } } } });
    const set = ds({
      spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } },
    });
    const oldPod = podOn(old, 'a');
    const plan = planDaemonSet({ daemonSet: set, nodes: nodes('a'), pods: [oldPod, podOn(set, 'a')], now: NOW });
    expect(plan.delete).toEqual([oldPod]);
    expect(plan.create).toEqual([]);
  });

  it('leaves old pods alone under OnDelete', () => {
    const old = ds({ spec: { template: { metadata: { labels: { app: 'agent', v: '1' } } } } });
    const set = ds({ spec: { updateStrategy: { type: 'OnDelete' } } });
    const plan = planDaemonSet({ daemonSet: set, nodes: nodes('a'), pods: [podOn(old, 'a')], now: NOW });
    expect(plan).toMatchObject({ create: [], delete: [] });
  });

  it('requeues when a ready pod becomes available after minReadySeconds', () => {
    const set = ds({ spec: { minReadySeconds: 30 } });
    const pod = podOn(set, 'a');
    pod.status!.conditions![0].lastTransitionTime = '2025-01-01T00:09:50Z';
    const plan = planDaemonSet({ daemonSet: set, nodes: nodes('a'), pods: [pod], now: NOW });
    expect(plan.status).toMatchObject({ numberReady: 1, numberUnavailable: 1 });
    expect(plan.requeueAfterMs).toBe(20_000);
  });

  it('has a budget of one unavailable node when both budgets come to zero', () => {
    const set = ds({ spec: { updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } } });
    expect(daemonSetBudget(set, 3)).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(daemonSetBudget(ds({ spec: { updateStrategy: { rollingUpdate: { maxUnavailable: '10%' } } } }), 15)).toEqual(
      { maxSurge: 0, maxUnavailable: 2 },
    );
  });
});
