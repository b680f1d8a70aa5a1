import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { labelSelectorFromSet } from '../../../../core/api/selectors/labels.ts';
import {
  compareForDeletion,
  planReplicas,
  podFromTemplate,
  type ReplicaOwner,
  slowStartBatches,
} from '../../../../core/controllers/replicaset/plan.ts';
import { makePod } from '../../../fixtures/objects.ts';

const NOW = new Date('2025-01-01T00:10:00Z');

const owner = (o: Partial<ReplicaOwner> = {}): ReplicaOwner => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  namespace: 'default',
  name: 'web',
  uid: 'rs-uid',
  generation: 3,
  deleting: false,
  replicas: 2,
  minReadySeconds: 0,
  selector: labelSelectorFromSet({ app: 'web' }),
  template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
  ...o,
});

const ref = (uid = 'rs-uid') => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid, controller: true }];

interface P {
  name: string;
  owned?: string | null;
  labels?: Record<string, string>;
  node?: string;
  phase?: string;
  ready?: boolean | string;
  created?: string;
  deleting?: boolean;
}
const pod = (p: P): Pod =>
  makePod({
    metadata: {
      name: p.name,
      uid: `uid-${p.name}`,
      labels: p.labels ?? { app: 'web', tier: 'front' },
      creationTimestamp: p.created ?? '2025-01-01T00:00:00Z',
      ownerReferences: p.owned === null ? undefined : ref(p.owned ?? 'rs-uid'),
      ...(p.deleting ? { deletionTimestamp: '2025-01-01T00:05:00Z' } : {}),
    },
    spec: p.node ? { nodeName: p.node } : {},
    status: {
      phase: p.phase ?? 'Running',
      ...(p.ready
        ? {
            conditions: [
              {
                type: 'Ready',
                status: 'True',
                lastTransitionTime: typeof p.ready === 'string' ? p.ready : '2025-01-01T00:00:00Z',
              },
            ],
          }
        : {}),
    },
  }) as unknown as Pod;
const names = (pods: Pod[]) => pods.map((p) => p.metadata?.name);

describe('planReplicas', () => {
  it.each([
    { title: 'creates the missing pods', pods: [pod({ name: 'a' })], replicas: 3, create: 2, del: [] as string[] },
    {
      title: 'does nothing at the desired count',
      pods: [pod({ name: 'a' }), pod({ name: 'b' })],
      replicas: 2,
      create: 0,
      del: [],
    },
    {
      title: 'deletes unscheduled pods before scheduled ones',
      pods: [pod({ name: 'a', node: 'n1' }), pod({ name: 'b' }), pod({ name: 'c', node: 'n1' })],
      replicas: 2,
      create: 0,
      del: ['b'],
    },
    {
      title: 'deletes Pending before Running and not-ready before ready',
      pods: [pod({ name: 'r', ready: true }), pod({ name: 'p', phase: 'Pending' }), pod({ name: 'u' })],
      replicas: 1,
      create: 0,
      del: ['p', 'u'],
    },
    {
      title: 'deletes the newest first among equals',
      pods: [
        pod({ name: 'old', created: '2025-01-01T00:00:00Z' }),
        pod({ name: 'new', created: '2025-01-01T00:01:00Z' }),
      ],
      replicas: 1,
      create: 0,
      del: ['new'],
    },
    {
      title: 'does not count terminating or finished pods',
      pods: [
        pod({ name: 'a', deleting: true }),
        pod({ name: 'b', phase: 'Succeeded' }),
        pod({ name: 'c', phase: 'Failed' }),
      ],
      replicas: 2,
      create: 2,
      del: [],
    },
    {
      title: 'ignores pods controlled by another owner',
      pods: [pod({ name: 'a', owned: 'other' })],
      replicas: 1,
      create: 1,
      del: [],
    },
  ])('$title', ({ pods, replicas, create, del }) => {
    const plan = planReplicas(owner({ replicas }), pods, NOW);
    expect(plan.create).toBe(create);
    expect(names(plan.delete)).toEqual(del);
  });

  it('adopts matching orphans and releases owned pods whose labels stop matching', () => {
    const pods = [
      pod({ name: 'orphan', owned: null }),
      pod({ name: 'moved', labels: { app: 'db' } }),
      pod({ name: 'x', owned: null, labels: { app: 'db' } }),
    ];
    const plan = planReplicas(owner({ replicas: 1 }), pods, NOW);
    expect(names(plan.adopt)).toEqual(['orphan']);
    expect(names(plan.release)).toEqual(['moved']);
    expect(plan.status.replicas).toBe(1);
    expect(plan.create).toBe(0);
  });

  it('neither adopts, releases, creates nor deletes while the owner is being deleted', () => {
    const pods = [pod({ name: 'orphan', owned: null }), pod({ name: 'moved', labels: { app: 'db' } })];
    const plan = planReplicas(owner({ replicas: 5, deleting: true }), pods, NOW);
    expect(plan).toMatchObject({ adopt: [], release: [], create: 0, delete: [] });
  });

  it('computes status counts, honouring minReadySeconds, and requeues for the next available pod', () => {
    const pods = [
      pod({ name: 'avail', ready: '2025-01-01T00:00:00Z' }),
      pod({ name: 'soon', ready: '2025-01-01T00:09:50Z' }),
      pod({ name: 'unready' }),
      pod({ name: 'partial', labels: { app: 'web' } }),
    ];
    const plan = planReplicas(owner({ replicas: 4, minReadySeconds: 30 }), pods, NOW);
    expect(plan.status).toEqual({
      replicas: 4,
      fullyLabeledReplicas: 3,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 3,
    });
    expect(plan.requeueAfterMs).toBe(20_000);
  });

  it('caps one sync at the burst size', () => {
    expect(planReplicas(owner({ replicas: 10_000 }), [], NOW).create).toBe(500);
  });
});

describe('compareForDeletion', () => {
  it('orders a shuffled list the same way every time', () => {
    const pods = [
      pod({ name: 'a', node: 'n', ready: true }),
      pod({ name: 'b' }),
      pod({ name: 'c', node: 'n' }),
      pod({ name: 'd', phase: 'Unknown', node: 'n' }),
    ];
    const sorted = names([...pods].sort(compareForDeletion));
    expect(sorted).toEqual(['b', 'd', 'c', 'a']);
    expect(names([...pods].reverse().sort(compareForDeletion))).toEqual(sorted);
  });
});

describe('podFromTemplate', () => {
  it('names the pod after its owner and sets a blocking controller ownerReference', () => {
    const p = podFromTemplate(owner());
    expect(p.metadata).toEqual({
      generateName: 'web-',
      namespace: 'default',
      labels: { app: 'web', tier: 'front' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web',
          uid: 'rs-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(p.spec?.containers[0]?.name).toBe('c');
  });
});

describe('slowStartBatches', () => {
  it.each([
    [0, []],
    [1, [1]],
    [5, [1, 2, 2]],
    [20, [1, 2, 4, 8, 5]],
  ])('splits %i creates into %j', (n, batches) => {
    expect(slowStartBatches(n)).toEqual(batches);
  });
});
