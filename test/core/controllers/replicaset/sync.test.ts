import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findResource, type ResourceInfo } from '../../../../core/api/resources.ts';
import { silentLogger } from '../../../../core/apiserver/types.ts';
import { ReplicaExpectations } from '../../../../core/controllers/replicaset/expectations.ts';
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND } from '../../../../core/controllers/replicaset/kinds.ts';
import { replicaControllerSpec, syncReplicas } from '../../../../core/controllers/replicaset/sync.ts';
import { internalError } from '../../../../core/errors/index.ts';
import { Registry } from '../../../../core/registry/registry.ts';
import type { RequestContext } from '../../../../core/registry/strategy.ts';
import { createSqliteStore } from '../../../../core/storage/sqlite/sqlite-store.ts';
import type { Store, StoreEvent } from '../../../../core/storage/store.ts';
import { makePod, makeReplicaSet, makeReplicationController } from '../../../fixtures/objects.ts';
import { adminCtx } from '../../../support/memory-registry.ts';

const RS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;
const RC = findResource('', 'v1', 'replicationcontrollers') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NOW = new Date('2025-01-01T00:00:00Z');

async function setup(
  makeRegistry: (deps: ConstructorParameters<typeof Registry>[0]) => Registry = (d) => new Registry(d),
) {
  const store = createSqliteStore({ path: ':memory:' });
  let n = 0;
  let r = 0;
  const registry = makeRegistry({
    store,
    uid: () => `uid-${++n}`,
    // A counter, so generated names differ.
    random: () => (r++ % 27) / 27 + 0.001,
    serviceCidr: '10.96.0.0/24',
    nodePortRange: { min: 30000, max: 32767 },
  });
  await registry.create(adminCtx(), findResource('', 'v1', 'namespaces')!, '', { metadata: { name: 'default' } });
  const deps = { store, registry, logger: silentLogger, now: () => NOW, expectations: new ReplicaExpectations() };
  const pods = async () => (await store.list('pods', { namespace: 'default' })).items as unknown as Pod[];
  const live = async () => (await pods()).filter((p) => !p.metadata?.deletionTimestamp);
  return { store, registry, deps, pods, live };
}

const createRs = (registry: Registry, replicas: number) =>
  registry.create(adminCtx(), RS, 'default', makeReplicaSet({ spec: { replicas } }) as KubeObject);

const scale = (registry: Registry, replicas: number) =>
  registry.write(
    adminCtx(),
    RS,
    'default',
    'web',
    (cur) => ({ ...cur, spec: { ...(cur.spec as object), replicas } }),
    '',
  );

/** A store whose pod listings are frozen at `snapshot` (a lagging cache). */
function staleStore(store: Store, snapshot: KubeObject[]): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'list') {
        return async (resource: string, opts?: Parameters<Store['list']>[1]) =>
          resource === 'pods' ? { items: structuredClone(snapshot), revision: 0 } : target.list(resource, opts);
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('syncReplicas', () => {
  it('creates replicas pods with a controller ownerReference and reports status and aggregated events', async () => {
    const { registry, deps, live, store } = await setup();
    const rs = await createRs(registry, 3);
    await syncReplicas(REPLICA_SET_KIND, deps, 'default/web');
    const pods = await live();
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata?.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(p.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web',
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    await syncReplicas(REPLICA_SET_KIND, deps, 'default/web');
    const status = ((await registry.get(RS, 'default', 'web')) as unknown as ReplicaSet).status;
    expect(status).toMatchObject({
      replicas: 3,
      fullyLabeledReplicas: 3,
      readyReplicas: 0,
      availableReplicas: 0,
      observedGeneration: 1,
    });
    const events = (await store.list('events', { namespace: 'default' })).items as unknown as Event[];
    // One Event per created pod: each message names a different pod.
    expect(events).toHaveLength(3);
    expect(new Set(events.map((e) => e.message)).size).toBe(3);
    expect(events[0]).toMatchObject({
      reason: 'SuccessfulCreate',
      type: 'Normal',
      count: 1,
      source: { component: 'replicaset-controller' },
      involvedObject: { kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid },
    });
  });

  it('never exceeds replicas over duplicated doorbells and a stale pod view', async () => {
    const { registry, deps, live } = await setup();
    await createRs(registry, 3);
    const staleDeps = { ...deps, store: staleStore(deps.store, []) };
    for (let i = 0; i < 5; i++) await syncReplicas(REPLICA_SET_KIND, staleDeps, 'default/web');
    expect(await live()).toHaveLength(3);
    for (let i = 0; i < 3; i++) await syncReplicas(REPLICA_SET_KIND, deps, 'default/web');
    expect(await live()).toHaveLength(3);
  });

  it('deletes no more than asked when scale-down doorbells repeat over a stale view', async () => {
    const { registry, deps, live, store } = await setup();
    await createRs(registry, 4);
    await syncReplicas(REPLICA_SET_KIND, deps, 'default/web');
    const snapshot = (await store.list('pods', { namespace: 'default' })).items;
    await scale(registry, 1);
    const staleDeps = { ...deps, store: staleStore(store, snapshot) };
    for (let i = 0; i < 4; i++) await syncReplicas(REPLICA_SET_KIND, staleDeps, 'default/web');
    await syncReplicas(REPLICA_SET_KIND, deps, 'default/web');
    expect(await live()).toHaveLength(1);
    const status = ((await registry.get(RS, 'default', 'web')) as unknown as ReplicaSet).status;
    expect(status).toMatchObject({ replicas: 1, observedGeneration: 2 });
  });

  it('reaches the same end state whatever the order of scale changes and syncs', async () => {
    const { registry, deps, live } = await setup();
    await createRs(registry, 2);
    for (const replicas of [5, 1, 3]) {
      await scale(registry, replicas);
      await syncReplicas(REPLICA_SET_KIND, deps, 'default/web');
    }
    await syncReplicas(REPLICA_SET_KIND, deps, 'default/web');
    await syncReplicas(REPLICA_SET_KIND, deps, 'default/web');
    expect(await live()).toHaveLength(3);
  });

  it('adopts a matching orphan and releases a pod whose labels stop matching', async () => {
    const { registry, deps, live } = await setup();
    const rs = await createRs(registry, 1);
    await registry.create(adminCtx(), PODS, 'default', makePod({ metadata: { name: 'orphan' } }) as KubeObject);
    await syncReplicas(REPLICA_SET_KIND, deps, 'default/web');
    let pods = await live();
    expect(pods.map((p) => p.metadata?.name)).toEqual(['orphan']);
    expect(pods[0]?.metadata?.ownerReferences?.[0]).toMatchObject({ uid: rs.metadata.uid, controller: true });
    await registry.write(
      adminCtx(),
      PODS,
      'default',
      'orphan',
      (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: { app: 'other' } } }),
      '',
    );
    await syncReplicas(REPLICA_SET_KIND, deps, 'default/web');
    pods = await live();
    expect(pods).toHaveLength(2);
    expect(pods.find((p) => p.metadata?.name === 'orphan')?.metadata?.ownerReferences).toEqual([]);
  });

  it('sets ReplicaFailure and throws when creates fail, and clears it once they succeed', async () => {
    let failing = true;
    class FailingRegistry extends Registry {
      override create(ctx: RequestContext, info: ResourceInfo, ns: string, body: KubeObject) {
        if (failing && info === PODS) return Promise.reject(internalError('quota says no'));
        return super.create(ctx, info, ns, body);
      }
    }
    const { registry, deps, live } = await setup((d) => new FailingRegistry(d));
    await createRs(registry, 2);
    await expect(syncReplicas(REPLICA_SET_KIND, deps, 'default/web')).rejects.toThrow('quota says no');
    let status = ((await registry.get(RS, 'default', 'web')) as unknown as ReplicaSet).status;
    expect(status?.conditions).toEqual([
      expect.objectContaining({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }),
    ]);
    failing = false;
    await syncReplicas(REPLICA_SET_KIND, deps, 'default/web');
    expect(await live()).toHaveLength(2);
    status = ((await registry.get(RS, 'default', 'web')) as unknown as ReplicaSet).status;
    expect(status?.conditions).toBeUndefined();
  });

  it('serves ReplicationControllers with their map selector', async () => {
    const { registry, deps, live } = await setup();
    const rc = await registry.create(
      adminCtx(),
      RC,
      'default',
      makeReplicationController({ spec: { replicas: 2 } }) as KubeObject,
    );
    await syncReplicas(REPLICATION_CONTROLLER_KIND, deps, 'default/web');
    await syncReplicas(REPLICATION_CONTROLLER_KIND, deps, 'default/web');
    const pods = await live();
    expect(pods).toHaveLength(2);
    expect(pods[0]?.metadata?.ownerReferences?.[0]).toMatchObject({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      uid: rc.metadata.uid,
    });
  });

  it('does nothing for an owner that no longer exists', async () => {
    const { deps, live } = await setup();
    await expect(syncReplicas(REPLICA_SET_KIND, deps, 'default/web')).resolves.toBeUndefined();
    expect(await live()).toHaveLength(0);
  });
});

describe('replicaControllerSpec', () => {
  it('maps a pod change to its controller, or for an orphan to the owners selecting it, and observes expectations', async () => {
    const { deps } = await setup();
    const spec = replicaControllerSpec(REPLICA_SET_KIND, deps);
    const [owners, pods] = spec.watches;
    const ev = (type: string, object: unknown, prevObject?: unknown) =>
      ({ type, object, prevObject, revision: 1 }) as StoreEvent;
    expect(owners?.keys(ev('ADDED', makeReplicaSet()))).toEqual(['default/web']);
    expect(pods?.keys(ev('ADDED', makePod({ metadata: { name: 'orphan' } })))).toEqual(['default/web']);
    expect(pods?.keys(ev('ADDED', makePod({ metadata: { labels: { app: 'db' } } })))).toEqual([]);
    const owned = makePod({
      metadata: {
        name: 'web-abcde',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'other', uid: 'u', controller: true }],
      },
    });
    deps.expectations.expectCreate('default/other', 'web-abcde', 0);
    expect(pods?.keys(ev('ADDED', owned))).toEqual(['default/other']);
    expect(deps.expectations.satisfied('default/other', 1)).toBe(true);
    const rcOwned = makePod({
      metadata: {
        ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: 'rc', uid: 'u', controller: true }],
      },
    });
    expect(pods?.keys(ev('DELETED', rcOwned))).toEqual([]);
  });
});
