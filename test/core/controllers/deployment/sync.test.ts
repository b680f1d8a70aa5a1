import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Event } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findResource, type ResourceInfo } from '../../../../core/api/resources.ts';
import { podTemplateHash } from '../../../../core/controllers/deployment/hash.ts';
import { REVISION_ANNOTATION } from '../../../../core/controllers/deployment/replica-sets.ts';
import { deploymentControllerSpec, syncDeployment } from '../../../../core/controllers/deployment/sync.ts';
import type { Registry } from '../../../../core/registry/registry.ts';
import type { Store } from '../../../../core/storage/store.ts';
import { makeReplicaSet } from '../../../fixtures/objects.ts';
import { adminCtx, makeRegistry } from '../../../support/memory-registry.ts';
import { deployment } from './simulate.ts';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;
const REPLICA_SETS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;
const logger = { debug() {}, info() {}, warn() {}, error() {} } as never;

interface Cluster {
  store: Store;
  registry: Registry;
  clock: number;
  sync(key: string): ReturnType<typeof syncDeployment>;
}

async function cluster(): Promise<Cluster> {
  const { store, registry } = await makeRegistry();
  const c: Cluster = {
    store,
    registry,
    clock: Date.parse('2025-01-01T00:00:00Z'),
    sync: (key) => syncDeployment({ store, registry, logger, now: () => new Date(c.clock) }, key),
  };
  return c;
}

async function create(c: Cluster, d: Deployment): Promise<void> {
  const { uid: _uid, generation: _generation, ...metadata } = d.metadata ?? {};
  await c.registry.create(adminCtx(), DEPLOYMENTS, 'default', { ...d, metadata } as KubeObject);
}

const list = async (c: Cluster) =>
  (await c.store.list('replicasets.apps', { namespace: 'default' })).items as ReplicaSet[];
const getDeployment = async (c: Cluster, name = 'web') =>
  (await c.registry.get(DEPLOYMENTS, 'default', name)) as Deployment;

/** Plays the ReplicaSet controller through the status subresource: pods appear at once, become available a tick later. */
async function tick(c: Cluster): Promise<void> {
  for (const rs of await list(c)) {
    const spec = rs.spec?.replicas ?? 1;
    const ready = Math.min(spec, rs.status?.replicas ?? 0);
    const status = { replicas: spec, readyReplicas: ready, availableReplicas: ready, observedGeneration: 1 };
    await c.registry.write(
      adminCtx(),
      REPLICA_SETS,
      'default',
      rs.metadata?.name ?? '',
      (cur) => ({ ...cur, status }),
      'status',
    );
  }
  c.clock += 1000;
}

async function setImage(c: Cluster, image: string): Promise<void> {
  await c.registry.write(
    adminCtx(),
    DEPLOYMENTS,
    'default',
    'web',
    (cur) => {
      const d = structuredClone(cur) as Deployment;
      d.spec!.template.spec!.containers[0]!.image = image;
      return d as KubeObject;
    },
    '',
  );
}

/** What must come out the same however doorbells arrive. */
async function endState(c: Cluster) {
  const d = await getDeployment(c);
  const sets = (await list(c)).map((rs) => ({
    name: rs.metadata?.name,
    replicas: rs.spec?.replicas,
    revision: rs.metadata?.annotations?.[REVISION_ANNOTATION],
  }));
  // More doorbells may advance a rollout sooner, so condition times may differ; the level may not.
  const conditions = d.status?.conditions?.map(({ type, status, reason, message }) => ({
    type,
    status,
    reason,
    message,
  }));
  return { revision: d.metadata?.annotations?.[REVISION_ANNOTATION], status: { ...d.status, conditions }, sets };
}

async function rollout(doorbells: (key: string) => string[]): Promise<Awaited<ReturnType<typeof endState>>> {
  const c = await cluster();
  await create(c, deployment());
  for (const image of ['', 'nginx:2', 'nginx:3']) {
    if (image) await setImage(c, image);
    for (let round = 0; round < 12; round++) {
      for (const key of doorbells('default/web')) await c.sync(key);
      await tick(c);
    }
  }
  return endState(c);
}

describe('syncDeployment', () => {
  it('creates the ReplicaSet, the revision annotation, the status and a ScalingReplicaSet event', async () => {
    const c = await cluster();
    await create(c, deployment());
    const result = await c.sync('default/web');
    const [rs] = await list(c);
    expect(rs?.spec?.replicas).toBe(3);
    expect(rs?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', controller: true });
    const d = await getDeployment(c);
    expect(d.metadata?.annotations?.[REVISION_ANNOTATION]).toBe('1');
    expect(d.status?.observedGeneration).toBe(d.metadata?.generation);
    expect(result?.requeueAfterMs).toBe(601_000);
    const events = (await c.store.list('events', { namespace: 'default' })).items as unknown as Event[];
    expect(events.map((e) => [e.reason, e.message, e.source?.component, e.involvedObject.kind])).toEqual([
      [
        'ScalingReplicaSet',
        `Scaled up replica set ${rs?.metadata?.name} from 0 to 3`,
        'deployment-controller',
        'Deployment',
      ],
    ]);
  });

  it('is a no-op for a missing Deployment', async () => {
    const c = await cluster();
    await expect(c.sync('default/nope')).resolves.toBeUndefined();
    expect(await list(c)).toEqual([]);
  });

  it('adopts an orphan ReplicaSet its selector matches', async () => {
    const c = await cluster();
    await c.registry.create(
      adminCtx(),
      REPLICA_SETS,
      'default',
      makeReplicaSet({ metadata: { name: 'orphan', labels: { app: 'web' } } }),
    );
    await create(c, deployment());
    await c.sync('default/web');
    const orphan = (await list(c)).find((rs) => rs.metadata?.name === 'orphan');
    expect(orphan?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', controller: true });
  });

  it('bumps collisionCount and retries under a new name when the hashed name is taken', async () => {
    const c = await cluster();
    await create(c, deployment());
    const taken = `web-${podTemplateHash((await getDeployment(c)).spec?.template)}`;
    const stranger = makeReplicaSet({
      metadata: { name: taken, labels: { app: 'other' } },
      spec: { selector: { matchLabels: { app: 'other' } }, template: { metadata: { labels: { app: 'other' } } } },
    });
    await c.registry.create(adminCtx(), REPLICA_SETS, 'default', stranger);
    await expect(c.sync('default/web')).rejects.toThrow(/already exists/);
    expect((await getDeployment(c)).status?.collisionCount).toBe(1);
    await c.sync('default/web');
    const ours = (await list(c)).filter((rs) => rs.metadata?.ownerReferences?.length);
    expect(ours.map((rs) => rs.metadata?.name)).toEqual([
      `web-${podTemplateHash((await getDeployment(c)).spec?.template, 1)}`,
    ]);
    expect(ours[0]?.metadata?.name).not.toBe(taken);
  });

  it('reaches the same end state with duplicated and reordered doorbells', async () => {
    const once = await rollout((key) => [key]);
    const noisy = await rollout((key) => ['default/other', key, key, 'default/nope', key]);
    expect(once.sets).toHaveLength(3);
    expect(once.revision).toBe('3');
    expect(once.status).toMatchObject({ replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    expect(noisy).toEqual(once);
  });

  it('maps a ReplicaSet change to its controlling Deployment', () => {
    const spec = deploymentControllerSpec({} as never);
    const rsWatch = spec.watches.find((w) => w.resource === 'replicasets.apps')!;
    const owned = makeReplicaSet({
      metadata: {
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u', controller: true }],
      },
    });
    expect(rsWatch.keys({ type: 'MODIFIED', object: owned } as never)).toEqual(['default/web']);
    expect(rsWatch.keys({ type: 'MODIFIED', object: makeReplicaSet() } as never)).toEqual([]);
  });
});
