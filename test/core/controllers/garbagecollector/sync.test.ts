/**
 * The garbage collector against a real store and registry, driven the way
 * the runtime drives it: store events through the spec's `keys`, then
 * `sync` of each key, until nothing is left to do. Both finders (the
 * in-memory graph and the store scan) must reach the same end states, and so
 * must duplicated and reordered event feeds.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findResource, type ResourceInfo, storageResource } from '../../../../core/api/resources.ts';
import { silentLogger } from '../../../../core/apiserver/types.ts';
import { scanDependents } from '../../../../core/controllers/garbagecollector/graph.ts';
import { COLLECTED_RESOURCES } from '../../../../core/controllers/garbagecollector/identity.ts';
import { garbageCollectorSpec } from '../../../../core/controllers/garbagecollector/spec.ts';
import type { ControllerSpec } from '../../../../core/controllers/runtime/controller.ts';
import { deleteObject, type PropagationPolicy } from '../../../../core/registry/delete.ts';
import type { Registry } from '../../../../core/registry/registry.ts';
import type { Store, StoreEvent, StoreWatch } from '../../../../core/storage/store.ts';
import { makeConfigMap, makeDeployment, makeNode, makePod, makeReplicaSet } from '../../../fixtures/objects.ts';
import { adminCtx, makeRegistry } from '../../../support/memory-registry.ts';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;
const REPLICA_SETS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const CONFIGMAPS = findResource('', 'v1', 'configmaps') as ResourceInfo;
const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const EVENTS = findResource('', 'v1', 'events') as ResourceInfo;

type Order = <T>(items: T[]) => T[];
const inOrder: Order = (items) => items;
const reversed: Order = (items) => [...items].reverse();
/** Every item twice, shuffled with a fixed seed. */
function duplicatedShuffle(seed: number): Order {
  return <T>(items: T[]) => {
    const out = [...items, ...items];
    for (let i = out.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const j = seed % (i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  };
}

interface Recorded {
  resource: string;
  e: StoreEvent;
}

/** Watches every collected resource from now on and keeps what it sees. */
async function record(store: Store) {
  const seen: Recorded[] = [];
  const all: Recorded[] = [];
  const watches: StoreWatch[] = [];
  for (const info of COLLECTED_RESOURCES) {
    const resource = storageResource(info);
    const w = await store.watch(resource, { fromRevision: await store.currentRevision(resource) });
    watches.push(w);
    void (async () => {
      for await (const e of w) {
        seen.push({ resource, e });
        all.push({ resource, e });
      }
    })();
  }
  return {
    take: () => seen.splice(0),
    all,
    stop: () => {
      for (const w of watches) w.stop();
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

/** Feeds recorded events to `spec` and syncs the keys they ring, in `order`, until a round has nothing to do. */
async function settle(spec: ControllerSpec, rec: Awaited<ReturnType<typeof record>>, order: Order = inOrder) {
  let requeued = new Set<string>();
  for (let round = 0; round < 40; round++) {
    await tick();
    const events = order(rec.take());
    const keys = new Set(requeued);
    for (const { resource, e } of events) {
      for (const w of spec.watches) if (w.resource === resource) for (const k of w.keys(e)) keys.add(k);
    }
    if (!events.length && round > 0 && [...keys].every((k) => requeued.has(k)) && round > 3) break;
    requeued = new Set();
    for (const key of order([...keys])) {
      const r = await spec.sync(key);
      if (r?.requeueAfterMs) requeued.add(key);
    }
  }
}

const FINDERS = [
  ['the in-memory graph', (_store: Store) => undefined],
  ['a store scan', (store: Store) => scanDependents(store)],
] as const;

async function setup(finder: (store: Store) => ReturnType<typeof scanDependents> | undefined) {
  const { store, registry } = await makeRegistry();
  const spec = garbageCollectorSpec({ store, registry, logger: silentLogger, finder: finder(store) });
  const rec = await record(store);
  return { store, registry, spec, rec };
}

const create = (registry: Registry, info: ResourceInfo, obj: unknown, namespace = 'default') =>
  registry.create(adminCtx(), info, info.namespaced ? namespace : '', obj as KubeObject);

const refTo = (owner: KubeObject, extra: Record<string, unknown> = {}) => ({
  apiVersion: owner.apiVersion,
  kind: owner.kind,
  name: owner.metadata.name,
  uid: owner.metadata.uid,
  ...extra,
});

/** Deployment web → ReplicaSet web-1 → pods web-1-a, web-1-b (controller refs that block owner deletion). */
async function chain(registry: Registry, name = 'web', podFinalizers?: string[]) {
  const controller = { controller: true, blockOwnerDeletion: true };
  const d = await create(registry, DEPLOYMENTS, makeDeployment({ metadata: { name } }));
  const rs = await create(
    registry,
    REPLICA_SETS,
    makeReplicaSet({ metadata: { name: `${name}-1`, ownerReferences: [refTo(d, controller)] } }),
  );
  const pods = [];
  for (const p of ['a', 'b']) {
    const metadata = { name: `${name}-1-${p}`, ownerReferences: [refTo(rs, controller)], finalizers: podFinalizers };
    pods.push(await create(registry, PODS, makePod({ metadata })));
  }
  return { d, rs, pods };
}

async function names(store: Store, info: ResourceInfo, namespace = 'default'): Promise<string[]> {
  const items = (await store.list(storageResource(info), info.namespaced ? { namespace } : {})).items;
  return items.map((o) => o.metadata.name ?? '').sort();
}

const del = (registry: Registry, info: ResourceInfo, name: string, propagationPolicy?: PropagationPolicy) =>
  deleteObject(registry, { garbageCollector: true }, adminCtx(), info, 'default', name, { propagationPolicy });

describe.each(FINDERS)('garbage collector with %s', (_, finder) => {
  it('collects the ReplicaSets and pods of a Deployment deleted in the background', async () => {
    const { store, registry, spec, rec } = await setup(finder);
    await chain(registry);
    await chain(registry, 'api');
    await settle(spec, rec);
    await del(registry, DEPLOYMENTS, 'web', 'Background');
    await settle(spec, rec);
    expect(await names(store, DEPLOYMENTS)).toEqual(['api']);
    expect(await names(store, REPLICA_SETS)).toEqual(['api-1']);
    expect(await names(store, PODS)).toEqual(['api-1-a', 'api-1-b']);
    rec.stop();
  });

  it('deletes the dependents first and the Deployment last in the foreground', async () => {
    const { store, registry, spec, rec } = await setup(finder);
    await chain(registry);
    await settle(spec, rec);
    const marked = await del(registry, DEPLOYMENTS, 'web', 'Foreground');
    expect(marked.deleted).toBe(false);
    await settle(spec, rec);
    expect(await names(store, DEPLOYMENTS)).toEqual([]);
    expect(await names(store, REPLICA_SETS)).toEqual([]);
    expect(await names(store, PODS)).toEqual([]);
    const gone = rec.all.filter((r) => r.e.type === 'DELETED').map((r) => r.e.object.metadata.name);
    expect(gone.indexOf('web-1-a')).toBeLessThan(gone.indexOf('web-1'));
    expect(gone.indexOf('web-1-b')).toBeLessThan(gone.indexOf('web-1'));
    expect(gone.indexOf('web-1')).toBeLessThan(gone.indexOf('web'));
    // The ReplicaSet, which has dependents of its own, went in the foreground too.
    const rsMarked = rec.all.find((r) => r.e.object.metadata.name === 'web-1' && r.e.object.metadata.deletionTimestamp);
    expect(rsMarked?.e.object.metadata.finalizers).toEqual(['foregroundDeletion']);
    rec.stop();
  });

  it('orphans the ReplicaSets of a Deployment deleted with Orphan and keeps their pods', async () => {
    const { store, registry, spec, rec } = await setup(finder);
    const { rs } = await chain(registry);
    await settle(spec, rec);
    await del(registry, DEPLOYMENTS, 'web', 'Orphan');
    await settle(spec, rec);
    expect(await names(store, DEPLOYMENTS)).toEqual([]);
    const left = await registry.get(REPLICA_SETS, 'default', 'web-1');
    expect(left.metadata.ownerReferences).toBeUndefined();
    expect(left.metadata.uid).toBe(rs.metadata.uid);
    const pods = (await store.list('pods', { namespace: 'default' })).items;
    expect(pods.map((p) => p.metadata.ownerReferences?.[0]?.uid)).toEqual([rs.metadata.uid, rs.metadata.uid]);
    rec.stop();
  });

  it('holds a foreground deletion while a blocking dependent has a finalizer of its own', async () => {
    const { store, registry, spec, rec } = await setup(finder);
    await chain(registry, 'web', ['example.com/hold']);
    await settle(spec, rec);
    await del(registry, DEPLOYMENTS, 'web', 'Foreground');
    await settle(spec, rec);
    expect(await names(store, DEPLOYMENTS)).toEqual(['web']);
    expect(await names(store, REPLICA_SETS)).toEqual(['web-1']);
    const held = (await store.list('pods', { namespace: 'default' })).items;
    expect(held.map((p) => !!p.metadata.deletionTimestamp)).toEqual([true, true]);
    for (const p of held) {
      await registry.write(
        adminCtx(),
        PODS,
        'default',
        p.metadata.name ?? '',
        (cur) => ({
          ...cur,
          metadata: { ...cur.metadata, finalizers: [] },
        }),
        '',
      );
    }
    await settle(spec, rec);
    expect(await names(store, PODS)).toEqual([]);
    expect(await names(store, REPLICA_SETS)).toEqual([]);
    expect(await names(store, DEPLOYMENTS)).toEqual([]);
    rec.stop();
  });

  it('collects a dependent whose owner uid does not match and keeps one whose uid does', async () => {
    const { store, registry, spec, rec } = await setup(finder);
    const d = await create(registry, DEPLOYMENTS, makeDeployment());
    await create(
      registry,
      CONFIGMAPS,
      makeConfigMap({ metadata: { name: 'stale', ownerReferences: [refTo(d, { uid: 'not-it' })] } }),
    );
    await create(registry, CONFIGMAPS, makeConfigMap({ metadata: { name: 'right', ownerReferences: [refTo(d)] } }));
    await settle(spec, rec);
    expect(await names(store, CONFIGMAPS)).toEqual(['right']);
    rec.stop();
  });

  it('collects dependents of an owner deleted and created again under the same name', async () => {
    const { store, registry, spec, rec } = await setup(finder);
    const d = await create(registry, DEPLOYMENTS, makeDeployment());
    await create(registry, CONFIGMAPS, makeConfigMap({ metadata: { name: 'cm', ownerReferences: [refTo(d)] } }));
    await settle(spec, rec);
    await store.delete({ resource: 'deployments.apps', namespace: 'default', name: 'web' });
    await create(registry, DEPLOYMENTS, makeDeployment());
    await settle(spec, rec);
    expect(await names(store, CONFIGMAPS)).toEqual([]);
    rec.stop();
  });

  it('never finds an owner in another namespace and collects its would-be dependent', async () => {
    const { store, registry, spec, rec } = await setup(finder);
    await create(registry, NAMESPACES, { metadata: { name: 'other' } });
    const d = await create(registry, DEPLOYMENTS, makeDeployment());
    const cm = makeConfigMap({ metadata: { name: 'cm', namespace: 'other', ownerReferences: [refTo(d)] } });
    await create(registry, CONFIGMAPS, cm, 'other');
    await settle(spec, rec);
    expect(await names(store, CONFIGMAPS, 'other')).toEqual([]);
    expect(await names(store, DEPLOYMENTS)).toEqual(['web']);
    rec.stop();
  });

  it('collects namespaced dependents of a cluster-scoped owner', async () => {
    const { store, registry, spec, rec } = await setup(finder);
    const node = await create(registry, NODES, makeNode({ metadata: { name: 'n1' } }));
    await create(registry, CONFIGMAPS, makeConfigMap({ metadata: { name: 'cm', ownerReferences: [refTo(node)] } }));
    await settle(spec, rec);
    expect(await names(store, CONFIGMAPS)).toEqual(['cm']);
    await deleteObject(registry, { garbageCollector: true }, adminCtx(), NODES, '', 'n1', {});
    await settle(spec, rec);
    expect(await names(store, CONFIGMAPS)).toEqual([]);
    rec.stop();
  });

  it('leaves a cluster-scoped dependent of a namespaced kind alone and records a Warning', async () => {
    const { store, registry, spec, rec } = await setup(finder);
    const d = await create(registry, DEPLOYMENTS, makeDeployment());
    await create(registry, NODES, makeNode({ metadata: { name: 'n1', ownerReferences: [refTo(d)] } }));
    await del(registry, DEPLOYMENTS, 'web');
    await settle(spec, rec);
    expect(await names(store, NODES)).toEqual(['n1']);
    const events = (await store.list(storageResource(EVENTS), { namespace: 'default' })).items;
    expect(events.map((e) => (e as { reason?: string }).reason)).toContain('OwnerRefInvalidNamespace');
    rec.stop();
  });

  it('breaks a cycle of blocking owners deleted in the foreground', async () => {
    const { store, registry, spec, rec } = await setup(finder);
    const a = await create(registry, CONFIGMAPS, makeConfigMap({ metadata: { name: 'a' } }));
    const b = await create(
      registry,
      CONFIGMAPS,
      makeConfigMap({ metadata: { name: 'b', ownerReferences: [refTo(a, { blockOwnerDeletion: true })] } }),
    );
    await registry.write(
      adminCtx(),
      CONFIGMAPS,
      'default',
      'a',
      (cur) =>
        ({
          ...cur,
          metadata: { ...cur.metadata, ownerReferences: [refTo(b, { blockOwnerDeletion: true })] },
        }) as KubeObject,
      '',
    );
    await settle(spec, rec);
    expect(await names(store, CONFIGMAPS)).toEqual(['a', 'b']);
    await del(registry, CONFIGMAPS, 'a', 'Foreground');
    await settle(spec, rec);
    expect(await names(store, CONFIGMAPS)).toEqual([]);
    rec.stop();
  });

  it('drops the reference to a gone owner from a dependent that has a live one', async () => {
    const { store, registry, spec, rec } = await setup(finder);
    const a = await create(registry, DEPLOYMENTS, makeDeployment({ metadata: { name: 'a' } }));
    const b = await create(registry, DEPLOYMENTS, makeDeployment({ metadata: { name: 'b' } }));
    await create(
      registry,
      CONFIGMAPS,
      makeConfigMap({ metadata: { name: 'cm', ownerReferences: [refTo(a), refTo(b)] } }),
    );
    await settle(spec, rec);
    await del(registry, DEPLOYMENTS, 'a');
    await settle(spec, rec);
    const cm = await registry.get(CONFIGMAPS, 'default', 'cm');
    expect(cm.metadata.ownerReferences).toEqual([refTo(b)]);
    expect(await names(store, CONFIGMAPS)).toEqual(['cm']);
    rec.stop();
  });
});

describe('garbage collector under duplicated and reordered events', () => {
  /** Three Deployments deleted three ways plus a stale dependent, settled in `order`; returns what is left. */
  async function scenario(order: Order) {
    const { store, registry, spec, rec } = await setup(() => undefined);
    await chain(registry, 'bg');
    await chain(registry, 'fg');
    await chain(registry, 'or');
    const keep = await create(registry, DEPLOYMENTS, makeDeployment({ metadata: { name: 'keep' } }));
    await create(
      registry,
      CONFIGMAPS,
      makeConfigMap({ metadata: { name: 'stale', ownerReferences: [refTo(keep, { uid: 'x' })] } }),
    );
    await del(registry, DEPLOYMENTS, 'bg', 'Background');
    await del(registry, DEPLOYMENTS, 'fg', 'Foreground');
    await del(registry, DEPLOYMENTS, 'or', 'Orphan');
    await settle(spec, rec, order);
    const state: Record<string, unknown> = {};
    for (const info of [DEPLOYMENTS, REPLICA_SETS, PODS, CONFIGMAPS]) {
      const items = (await store.list(storageResource(info), { namespace: 'default' })).items;
      state[info.resource] = items.map((o) => ({
        name: o.metadata.name,
        owners: (o.metadata.ownerReferences ?? []).map((r) => r.name),
        finalizers: o.metadata.finalizers,
        deleting: !!o.metadata.deletionTimestamp,
      }));
    }
    rec.stop();
    return state;
  }

  it('reaches the same end state in order, reversed, and duplicated and shuffled', async () => {
    const want = await scenario(inOrder);
    expect(want).toEqual({
      deployments: [{ name: 'keep', owners: [], finalizers: undefined, deleting: false }],
      replicasets: [{ name: 'or-1', owners: [], finalizers: undefined, deleting: false }],
      pods: [
        { name: 'or-1-a', owners: ['or-1'], finalizers: undefined, deleting: false },
        { name: 'or-1-b', owners: ['or-1'], finalizers: undefined, deleting: false },
      ],
      configmaps: [],
    });
    expect(await scenario(reversed)).toEqual(want);
    expect(await scenario(duplicatedShuffle(7))).toEqual(want);
    expect(await scenario(duplicatedShuffle(1234))).toEqual(want);
  });
});
