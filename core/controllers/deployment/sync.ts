/**
 * The Deployment controller: re-reads a Deployment and the ReplicaSets it
 * controls by key (the event is only a doorbell), adopts matching orphans,
 * applies `planDeployment` with preconditions, and writes the status.
 * Pods are the ReplicaSet controller's business; ReplicaSet status carries
 * their readiness here.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { findResource, type ResourceInfo, storageResource } from '../../api/resources.ts';
import { labelSelectorFromLabelSelector } from '../../api/selectors/labels.ts';
import type { Logger } from '../../apiserver/types.ts';
import { conflict, isAlreadyExists, isNotFound } from '../../errors/index.ts';
import { systemContext } from '../../registry/bootstrap.ts';
import { deleteObject } from '../../registry/delete.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Store } from '../../storage/store.ts';
import { ControllerEventRecorder } from '../events.ts';
import {
  type ControllerSpec,
  type RunningController,
  type SyncResult,
  startController,
} from '../runtime/controller.ts';
import { objectKey, splitKey } from '../selector-index.ts';
import { type DeploymentPlan, planDeployment } from './plan.ts';
import { REVISION_ANNOTATION } from './replica-sets.ts';

/** The component Deployment events come from (`source.component`). */
export const DEPLOYMENT_CONTROLLER = 'deployment-controller';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments') as ResourceInfo;
const REPLICA_SETS = findResource('apps', 'v1', 'replicasets') as ResourceInfo;

/** Dependencies of the Deployment controller. */
export interface DeploymentControllerDeps {
  store: Store;
  registry: Registry;
  logger: Logger;
  now?: () => Date;
}

const asObj = (o: unknown) => o as KubeObject;
const controllerRef = (o: KubeObject) => o.metadata.ownerReferences?.find((r) => r.controller);

/** The Deployment's ReplicaSets: those it controls, plus orphans its selector matches, adopted here. */
async function ownedReplicaSets(deps: DeploymentControllerDeps, d: Deployment, now: Date): Promise<ReplicaSet[]> {
  const ns = d.metadata?.namespace ?? '';
  const uid = d.metadata?.uid;
  const selector = labelSelectorFromLabelSelector(d.spec?.selector);
  const items = (await deps.store.list(storageResource(REPLICA_SETS), { namespace: ns })).items;
  const out: ReplicaSet[] = [];
  for (const item of items) {
    const ref = controllerRef(item);
    if (ref) {
      if (ref.uid === uid) out.push(item as ReplicaSet);
      continue;
    }
    if (item.metadata.deletionTimestamp || !selector.matches(item.metadata.labels)) continue;
    const owner = { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata?.name ?? '', uid: uid ?? '' };
    try {
      const adopted = await deps.registry.write(
        systemContext(now),
        REPLICA_SETS,
        ns,
        item.metadata.name ?? '',
        (cur) => {
          // Someone else may have claimed it since the list.
          if (cur.metadata.uid !== item.metadata.uid || controllerRef(cur)) {
            throw conflict({ group: 'apps', resource: 'replicasets' }, cur.metadata.name ?? '');
          }
          const refs = [
            ...(cur.metadata.ownerReferences ?? []),
            { ...owner, controller: true, blockOwnerDeletion: true },
          ];
          return { ...cur, metadata: { ...cur.metadata, ownerReferences: refs } };
        },
        '',
      );
      out.push(adopted as ReplicaSet);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return out;
}

async function apply(deps: DeploymentControllerDeps, d: Deployment, plan: DeploymentPlan, now: Date): Promise<void> {
  const ctx = systemContext(now);
  const ns = d.metadata?.namespace ?? '';
  if (plan.create) {
    try {
      await deps.registry.create(ctx, REPLICA_SETS, ns, asObj(plan.create));
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      // A name taken by a set we do not control is a hash collision: bump the count so the next hash differs.
      await deps.registry.write(
        ctx,
        DEPLOYMENTS,
        ns,
        d.metadata?.name ?? '',
        (cur) => {
          const status = (cur.status ?? {}) as NonNullable<Deployment['status']>;
          return { ...cur, status: { ...status, collisionCount: (status.collisionCount ?? 0) + 1 } };
        },
        'status',
      );
      throw e;
    }
  }
  for (const rs of plan.update) {
    const { resourceVersion } = rs.metadata ?? {};
    await deps.registry.write(ctx, REPLICA_SETS, ns, rs.metadata?.name ?? '', () => asObj(rs), '', { resourceVersion });
  }
  for (const rs of plan.delete) {
    const preconditions = { uid: rs.metadata?.uid, resourceVersion: rs.metadata?.resourceVersion };
    try {
      await deleteObject(deps.registry, { garbageCollector: false }, ctx, REPLICA_SETS, ns, rs.metadata?.name ?? '', {
        preconditions,
      });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  const name = d.metadata?.name ?? '';
  const pinned = { resourceVersion: d.metadata?.resourceVersion };
  if (plan.revision && d.metadata?.annotations?.[REVISION_ANNOTATION] !== plan.revision) {
    const annotate = (cur: KubeObject) => ({
      ...cur,
      metadata: { ...cur.metadata, annotations: { ...cur.metadata.annotations, [REVISION_ANNOTATION]: plan.revision } },
    });
    const written = await deps.registry.write(ctx, DEPLOYMENTS, ns, name, annotate, '', pinned);
    pinned.resourceVersion = written.metadata.resourceVersion;
  }
  const setStatus = (cur: KubeObject) => ({ ...cur, status: plan.status });
  await deps.registry.write(ctx, DEPLOYMENTS, ns, name, setStatus, 'status', pinned);
}

/**
 * Reconciles the Deployment `namespace/name`. Idempotent. Throws to retry
 * (a conflict means the level moved: the retry re-reads it); returns when to
 * look again while the progress deadline is pending.
 */
export async function syncDeployment(deps: DeploymentControllerDeps, key: string): Promise<SyncResult | undefined> {
  const now = deps.now?.() ?? new Date();
  const { namespace, name } = splitKey(key);
  let d: Deployment;
  try {
    d = (await deps.registry.get(DEPLOYMENTS, namespace, name)) as Deployment;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  if (d.metadata?.deletionTimestamp) return undefined;
  const replicaSets = await ownedReplicaSets(deps, d, now);
  const plan = planDeployment({ deployment: d, replicaSets, now });
  await apply(deps, d, plan, now);
  const recorder = new ControllerEventRecorder(deps.registry, DEPLOYMENT_CONTROLLER, () => now);
  const object = { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name, uid: d.metadata?.uid };
  for (const ev of plan.events) await recorder.tryRecord({ object, ...ev });
  return plan.requeueAfterMs ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
}

/** The Deployment controller's spec: a Deployment's change concerns itself, a ReplicaSet's its controlling Deployment. */
export function deploymentControllerSpec(deps: DeploymentControllerDeps): ControllerSpec {
  return {
    name: 'deployment',
    watches: [
      { resource: storageResource(DEPLOYMENTS), keys: (e) => [objectKey(e.object)] },
      {
        resource: storageResource(REPLICA_SETS),
        keys: (e) => {
          const ref = controllerRef(e.object);
          return ref?.kind === 'Deployment' ? [`${e.object.metadata.namespace ?? ''}/${ref.name}`] : [];
        },
      },
    ],
    sync: (key) => syncDeployment(deps, key),
    initialKeys: async () => (await deps.store.list(storageResource(DEPLOYMENTS))).items.map(objectKey),
  };
}

/** Starts the Deployment controller in process. */
export function startDeploymentController(deps: DeploymentControllerDeps): Promise<RunningController> {
  return startController(deps.store, deploymentControllerSpec(deps), deps.logger);
}
