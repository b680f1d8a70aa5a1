import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findResource, type ResourceInfo } from '../../../../core/api/resources.ts';
import { rfc3339Micro } from '../../../../core/api/time.ts';
import { silentLogger } from '../../../../core/apiserver/types.ts';
import { nodeLifecycleControllerSpec, syncNodeLifecycle } from '../../../../core/controllers/nodelifecycle/sync.ts';
import { adminCtx, makeRegistry, NODES, PODS } from '../../../support/memory-registry.ts';

const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const T0 = Date.parse('2025-01-01T00:00:00Z');

async function setup() {
  const { store, registry } = await makeRegistry();
  const c = { store, registry, clock: T0 };
  const ctx = () => adminCtx(new Date(c.clock));
  await registry.create(ctx(), NAMESPACES, '', { metadata: { name: 'kube-node-lease' } } as KubeObject);
  await registry.create(ctx(), NODES, '', { metadata: { name: 'n1' } } as KubeObject);
  const conditions = [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2025-01-01T00:00:00Z' }];
  await registry.write(ctx(), NODES, '', 'n1', (cur) => ({ ...cur, status: { conditions } }), 'status');
  const spec = { holderIdentity: 'n1', renewTime: rfc3339Micro(new Date(T0)) };
  await registry.create(ctx(), LEASES, 'kube-node-lease', { metadata: { name: 'n1' }, spec } as KubeObject);
  for (const [name, seconds] of [
    ['short', 3],
    ['long', 600],
  ] as const) {
    const pod = { metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }] } } as KubeObject;
    if (name === 'short') {
      (pod.spec as Pod['spec'] & object).tolerations = [
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds },
      ];
    }
    await registry.create(ctx(), PODS, 'default', pod);
    await store.guaranteedUpdate({ resource: 'pods', namespace: 'default', name }, (cur) => ({
      ...cur,
      spec: { ...(cur.spec as object), nodeName: 'n1' },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    }));
  }
  const deps = { store, registry, logger: silentLogger, now: () => new Date(c.clock), gracePeriodMs: 40_000 };
  return { ...c, c, sync: (key: string) => syncNodeLifecycle(deps, key) };
}

/** Runs the controller through a node going silent at T0 with `doorbells` per step; returns what the store shows. */
async function run(doorbells: (key: string) => string[]) {
  const s = await setup();
  for (const seconds of [10, 41, 42, 45, 100, 400]) {
    s.c.clock = T0 + seconds * 1000;
    for (const key of doorbells('/n1')) await s.sync(key);
  }
  const node = (await s.registry.get(NODES, '', 'n1')) as Node;
  const pods = ((await s.store.list('pods')).items as unknown as Pod[]).map((p) => ({
    name: p.metadata?.name,
    deleting: !!p.metadata?.deletionTimestamp,
    ready: p.status?.conditions?.find((c) => c.type === 'Ready')?.status,
  }));
  const events = ((await s.store.list('events')).items as unknown as Event[])
    .map((e) => [e.reason, e.involvedObject.name, e.count])
    .sort();
  return { taints: node.spec?.taints, ready: node.status?.conditions?.[0], pods, events };
}

describe('node lifecycle sync', () => {
  it('reaches the same end state with duplicated and reordered doorbells', async () => {
    const once = await run((key) => [key]);
    const noisy = await run((key) => ['/gone', key, key, '/other', key]);
    expect(once.ready).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown' });
    expect(once.taints?.map((t) => `${t.key}:${t.effect}`)).toEqual([
      'node.kubernetes.io/unreachable:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
    ]);
    expect(once.pods).toEqual([
      { name: 'long', deleting: true, ready: 'False' },
      { name: 'short', deleting: true, ready: 'False' },
    ]);
    expect(once.events).toEqual([
      ['NodeNotReady', 'long', 1],
      ['NodeNotReady', 'n1', 1],
      ['NodeNotReady', 'short', 1],
      ['TaintManagerEviction', 'long', 1],
      ['TaintManagerEviction', 'short', 1],
    ]);
    expect(noisy).toEqual(once);
  });

  it('evicts at the end of the shortest toleration and asks to look again until then', async () => {
    const s = await setup();
    s.c.clock = T0 + 10_000;
    expect(await s.sync('/n1')).toEqual({ requeueAfterMs: 30_100 });
    s.c.clock = T0 + 41_000;
    expect(await s.sync('/n1')).toEqual({ requeueAfterMs: 3_050 });
    const deleting = async () =>
      ((await s.store.list('pods')).items as unknown as Pod[])
        .filter((p) => p.metadata?.deletionTimestamp)
        .map((p) => p.metadata?.name);
    expect(await deleting()).toEqual([]);
    s.c.clock = T0 + 44_000;
    expect(await s.sync('/n1')).toEqual({ requeueAfterMs: 297_050 });
    expect(await deleting()).toEqual(['short']);
    const short = (await s.registry.get(PODS, 'default', 'short')) as unknown as Pod;
    expect(short.status?.conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
    });
  });

  it('maps nodes, node Leases and newly bound pods to the node key', () => {
    const spec = nodeLifecycleControllerSpec({} as never);
    const keys = (resource: string, e: unknown) => spec.watches.find((w) => w.resource === resource)!.keys(e as never);
    expect(keys('nodes', { type: 'MODIFIED', object: { metadata: { name: 'n1' } } })).toEqual(['/n1']);
    const lease = (namespace: string) => ({ type: 'MODIFIED', object: { metadata: { name: 'n1', namespace } } });
    expect(keys('leases.coordination.k8s.io', lease('kube-node-lease'))).toEqual(['/n1']);
    expect(keys('leases.coordination.k8s.io', lease('default'))).toEqual([]);
    const bound = { metadata: { name: 'p' }, spec: { nodeName: 'n1' } };
    expect(keys('pods', { type: 'ADDED', object: bound })).toEqual(['/n1']);
    expect(keys('pods', { type: 'MODIFIED', object: bound, prevObject: { ...bound, spec: {} } })).toEqual(['/n1']);
    expect(keys('pods', { type: 'MODIFIED', object: bound, prevObject: bound })).toEqual([]);
  });
});
