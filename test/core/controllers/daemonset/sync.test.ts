import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findResource, type ResourceInfo } from '../../../../core/api/resources.ts';
import { silentLogger } from '../../../../core/apiserver/types.ts';
import { daemonSetControllerSpec, syncDaemonSet } from '../../../../core/controllers/daemonset/sync.ts';
import { Registry } from '../../../../core/registry/registry.ts';
import { createSqliteStore } from '../../../../core/storage/sqlite/sqlite-store.ts';
import type { Store } from '../../../../core/storage/store.ts';
import { makeDaemonSet } from '../../../fixtures/objects.ts';
import { makeNode } from '../../../fixtures/scheduler.ts';
import { adminCtx, NODES, PODS } from '../../../support/memory-registry.ts';

const DAEMON_SETS = findResource('apps', 'v1', 'daemonsets') as ResourceInfo;
const NOW = new Date('2025-01-01T00:00:00Z');

async function setup() {
  const store = createSqliteStore({ path: ':memory:' });
  let n = 0;
  let r = 0;
  const registry = new Registry({
    store,
    uid: () => `uid-${++n}`,
    // A counter, so generated names differ.
    random: () => (r++ % 27) / 27 + 0.001,
    serviceCidr: '10.96.0.0/24',
    nodePortRange: { min: 30000, max: 32767 },
  });
  await registry.create(adminCtx(), findResource('', 'v1', 'namespaces')!, '', { metadata: { name: 'default' } });
  for (const name of ['n1', 'n2', 'n3']) {
    const { uid: _uid, ...metadata } = makeNode({ name }).metadata ?? {};
    await registry.create(adminCtx(), NODES, '', { ...makeNode({ name }), metadata } as KubeObject);
  }
  await registry.create(adminCtx(), DAEMON_SETS, 'default', makeDaemonSet() as KubeObject);
  const deps = { store, registry, logger: silentLogger, now: () => NOW };
  return { store, registry, sync: (key: string) => syncDaemonSet(deps, key) };
}

const livePods = async (store: Store) =>
  ((await store.list('pods', { namespace: 'default' })).items as unknown as Pod[]).filter(
    (p) => !p.metadata?.deletionTimestamp,
  );

/** Plays scheduler and kubelet: binds every pod to the node it is pinned to and marks it Ready. */
async function bindAndReady(registry: Registry, store: Store): Promise<void> {
  for (const p of await livePods(store)) {
    if (p.spec?.nodeName) continue;
    const node =
      p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]
        ?.matchFields?.[0]?.values?.[0];
    const name = p.metadata?.name ?? '';
    // A system write, as the binding subresource makes it.
    await store.guaranteedUpdate({ resource: 'pods', namespace: 'default', name }, (cur) => ({
      ...cur,
      spec: { ...(cur.spec as object), nodeName: node },
    }));
    const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    await registry.write(adminCtx(), PODS, 'default', name, (cur) => ({ ...cur, status }), 'status');
  }
}

const endState = async (store: Store, registry: Registry) => {
  const pods = await livePods(store);
  const ds = (await registry.get(DAEMON_SETS, 'default', 'agent')) as DaemonSet;
  return { nodes: pods.map((p) => p.spec?.nodeName).sort(), status: ds.status };
};

describe('DaemonSet sync', () => {
  it('reaches the same end state with duplicated and reordered doorbells', async () => {
    const run = async (doorbells: (key: string) => string[]) => {
      const c = await setup();
      for (let round = 0; round < 3; round++) {
        for (const key of doorbells('default/agent')) await c.sync(key);
        await bindAndReady(c.registry, c.store);
      }
      return endState(c.store, c.registry);
    };
    const once = await run((key) => [key]);
    const noisy = await run((key) => ['default/nope', key, key, 'default/other', key]);
    expect(once.nodes).toEqual(['n1', 'n2', 'n3']);
    expect(once.status).toMatchObject({
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      numberReady: 3,
      updatedNumberScheduled: 3,
    });
    expect(noisy).toEqual(once);
  });

  it('records SuccessfulCreate Events and writes nothing when nothing changed', async () => {
    const c = await setup();
    await c.sync('default/agent');
    await bindAndReady(c.registry, c.store);
    await c.sync('default/agent');
    const rv = (await c.registry.get(DAEMON_SETS, 'default', 'agent')).metadata.resourceVersion;
    const podRevision = await c.store.currentRevision('pods');
    await c.sync('default/agent');
    expect((await c.registry.get(DAEMON_SETS, 'default', 'agent')).metadata.resourceVersion).toBe(rv);
    expect(await c.store.currentRevision('pods')).toBe(podRevision);
    const events = (await c.store.list('events', { namespace: 'default' })).items as unknown as Event[];
    expect(events.filter((e) => e.reason === 'SuccessfulCreate')).toHaveLength(3);
    expect(events.every((e) => e.source?.component === 'daemonset-controller')).toBe(true);
  });

  it('maps pods to their DaemonSet and node placement changes to a sync of every DaemonSet', async () => {
    const c = await setup();
    const spec = daemonSetControllerSpec({ store: c.store, registry: c.registry, logger: silentLogger });
    expect(await spec.initialKeys()).toEqual(['default/agent']);
    const pods = spec.watches.find((w) => w.resource === 'pods')!;
    const nodes = spec.watches.find((w) => w.resource === 'nodes')!;
    const owned = {
      metadata: {
        namespace: 'default',
        name: 'p',
        ownerReferences: [{ kind: 'DaemonSet', name: 'agent', controller: true }],
      },
    };
    expect(pods.keys({ type: 'MODIFIED', object: owned } as never)).toEqual(['default/agent']);
    const orphan = { metadata: { namespace: 'default', name: 'o', labels: { app: 'agent' } } };
    expect(pods.keys({ type: 'ADDED', object: orphan } as never)).toEqual(['default/agent']);
    const node = makeNode({ name: 'n1' }) as unknown as KubeObject;
    const heartbeat = { ...node, status: { conditions: [] } } as KubeObject;
    expect(nodes.keys({ type: 'MODIFIED', object: heartbeat, prevObject: node } as never)).toEqual([]);
    const labelled = { ...node, metadata: { ...node.metadata, labels: { x: 'y' } } } as KubeObject;
    expect(nodes.keys({ type: 'MODIFIED', object: labelled, prevObject: node } as never)).toEqual(['*']);
    expect(nodes.keys({ type: 'DELETED', object: node } as never)).toEqual(['*']);
    // The all-DaemonSets key syncs each of them: the three nodes get their pods.
    await spec.sync('*');
    expect((await c.store.list('pods', { namespace: 'default' })).items).toHaveLength(3);
  });
});
