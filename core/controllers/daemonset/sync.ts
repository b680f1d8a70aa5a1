/**
 * The DaemonSet controller: re-reads a DaemonSet, every node and its
 * namespace's pods by key (the event is only a doorbell), adopts orphans,
 * creates the missing daemon pods (in slow-start batches) and deletes the
 * ones `planDaemonSet` names, records Events and writes the status when it
 * changed. The scheduler binds the pods it creates (they are pinned to their
 * node by node affinity).
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { findResource, type ResourceInfo, storageResource } from '../../api/resources.ts';
import { labelSelectorFromLabelSelector, NOTHING } from '../../api/selectors/labels.ts';
import type { Logger } from '../../apiserver/types.ts';
import { isNotFound } from '../../errors/index.ts';
import { systemContext } from '../../registry/bootstrap.ts';
import { deleteObject } from '../../registry/delete.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Store, StoreEvent } from '../../storage/store.ts';
import { ControllerEventRecorder } from '../events.ts';
import { canonicalJson } from '../deployment/hash.ts';
import { controllerRefOf, slowStartBatches } from '../replicaset/plan.ts';
import {
  type ControllerSpec,
  type RunningController,
  type SyncResult,
  startController,
} from '../runtime/controller.ts';
import { objectKey, SelectorIndex, splitKey } from '../selector-index.ts';
import { daemonPodFor, daemonSetHash, daemonSetOwnerReference } from './pod.ts';
import { planDaemonSet } from './plan.ts';

/** The component DaemonSet events come from (`source.component`). */
export const DAEMONSET_CONTROLLER = 'daemonset-controller';

const DAEMON_SETS = findResource('apps', 'v1', 'daemonsets') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;

/** Dependencies of the DaemonSet controller. */
export interface DaemonSetControllerDeps {
  store: Store;
  registry: Registry;
  logger: Logger;
  now?: () => Date;
}

/**
 * Reconciles the DaemonSet `namespace/name`. Idempotent. Throws to retry
 * (after writing status) when a create or delete failed; returns when to
 * look again while a pod's `minReadySeconds` runs.
 */
export async function syncDaemonSet(deps: DaemonSetControllerDeps, key: string): Promise<SyncResult | undefined> {
  const now = deps.now?.() ?? new Date();
  const ctx = systemContext(now);
  const { namespace, name } = splitKey(key);
  let ds: DaemonSet;
  try {
    ds = (await deps.registry.get(DAEMON_SETS, namespace, name)) as DaemonSet;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  const nodes = (await deps.store.list('nodes')).items as unknown as Node[];
  const pods = (await deps.store.list('pods', { namespace })).items as unknown as Pod[];
  const plan = planDaemonSet({ daemonSet: ds, nodes, pods, now });
  const events = new ControllerEventRecorder(deps.registry, DAEMONSET_CONTROLLER, () => now);
  const object = { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace, name, uid: ds.metadata?.uid };
  const ref = daemonSetOwnerReference(ds);
  for (const pod of plan.adopt) {
    await deps.registry.write(
      ctx,
      PODS,
      namespace,
      pod.metadata?.name ?? '',
      (cur) => ({
        ...cur,
        metadata: { ...cur.metadata, ownerReferences: [...(cur.metadata.ownerReferences ?? []), ref] },
      }),
      '',
      { resourceVersion: pod.metadata?.resourceVersion },
    );
  }
  let failure: Error | undefined;
  const hash = daemonSetHash(ds);
  let next = 0;
  for (const size of slowStartBatches(plan.create.length)) {
    const batch = plan.create.slice(next, next + size);
    next += size;
    const results = await Promise.allSettled(
      batch.map((node) =>
        deps.registry.create(ctx, PODS, namespace, daemonPodFor(ds, node, hash) as unknown as KubeObject),
      ),
    );
    for (const r of results) {
      if (r.status === 'rejected') failure ??= r.reason as Error;
      else {
        const message = `Created pod: ${r.value.metadata.name ?? ''}`;
        await events.tryRecord({ object, type: 'Normal', reason: 'SuccessfulCreate', message });
      }
    }
    if (failure) break;
  }
  if (failure) {
    const message = `Error creating: ${failure.message}`;
    await events.tryRecord({ object, type: 'Warning', reason: 'FailedCreate', message });
  }
  await Promise.all(
    plan.delete.map(async (pod) => {
      const podName = pod.metadata?.name ?? '';
      try {
        await deleteObject(deps.registry, { garbageCollector: false }, ctx, PODS, namespace, podName, {
          preconditions: { uid: pod.metadata?.uid },
        });
      } catch (e) {
        if (isNotFound(e)) return;
        failure ??= e as Error;
        return;
      }
      await events.tryRecord({
        object,
        type: 'Normal',
        reason: 'SuccessfulDelete',
        message: `Deleted pod: ${podName}`,
      });
    }),
  );
  if (canonicalJson(plan.status) !== canonicalJson(ds.status ?? {})) {
    try {
      await deps.registry.write(
        ctx,
        DAEMON_SETS,
        namespace,
        name,
        (cur) => ({ ...cur, status: plan.status }),
        'status',
      );
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  if (failure) throw failure;
  return plan.requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(1, plan.requeueAfterMs) } : undefined;
}

/**
 * The key a node change rings: every DaemonSet, listed when synced. A key of
 * its own (rather than one per DaemonSet this process happens to know) keeps
 * it right in a stateless stream consumer, and the queue folds a burst of
 * node changes into one pass.
 */
export const ALL_DAEMON_SETS_KEY = '*';

/** Syncs every DaemonSet; throws the first failure after trying them all. */
async function syncAll(deps: DaemonSetControllerDeps): Promise<SyncResult | undefined> {
  let failure: unknown;
  let requeueAfterMs: number | undefined;
  for (const ds of (await deps.store.list(storageResource(DAEMON_SETS))).items) {
    try {
      const r = await syncDaemonSet(deps, objectKey(ds));
      if (r?.requeueAfterMs !== undefined)
        requeueAfterMs = Math.min(requeueAfterMs ?? r.requeueAfterMs, r.requeueAfterMs);
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure) throw failure;
  return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
}

/** Whether a node change can change where daemon pods belong (labels, taints, existence); status heartbeats cannot. */
function nodeMatters(e: StoreEvent): boolean {
  if (e.type !== 'MODIFIED' || !e.prevObject) return true;
  const placement = (o: KubeObject) => canonicalJson([o.metadata.labels, (o.spec as Node['spec'])?.taints]);
  return placement(e.object) !== placement(e.prevObject);
}

/** The DaemonSet controller's spec: DaemonSets concern themselves, pods their owner, node changes every DaemonSet. */
export function daemonSetControllerSpec(deps: DaemonSetControllerDeps): ControllerSpec {
  const index = new SelectorIndex((o) => {
    try {
      return labelSelectorFromLabelSelector((o as DaemonSet).spec?.selector);
    } catch {
      return NOTHING;
    }
  });
  const observe = (o: KubeObject, deleted: boolean) => index.observe(o, deleted);
  const podKeys = (e: StoreEvent): string[] => {
    const keys = new Set<string>();
    const ns = e.object.metadata.namespace ?? '';
    for (const obj of [e.object, e.prevObject]) {
      if (!obj) continue;
      const ref = controllerRefOf(obj as Pod);
      if (ref?.kind === 'DaemonSet') keys.add(`${ns}/${ref.name}`);
      else if (!ref && e.type !== 'DELETED') for (const k of index.matching(ns, [obj.metadata.labels])) keys.add(k);
    }
    return [...keys];
  };
  return {
    name: 'daemonset',
    watches: [
      {
        resource: storageResource(DAEMON_SETS),
        keys: (e) => {
          observe(e.object, e.type === 'DELETED');
          return [objectKey(e.object)];
        },
      },
      { resource: 'pods', keys: podKeys },
      { resource: 'nodes', keys: (e) => (nodeMatters(e) ? [ALL_DAEMON_SETS_KEY] : []) },
    ],
    sync: (key) => (key === ALL_DAEMON_SETS_KEY ? syncAll(deps) : syncDaemonSet(deps, key)),
    initialKeys: async () => {
      const all = (await deps.store.list(storageResource(DAEMON_SETS))).items;
      for (const o of all) observe(o, false);
      return all.map(objectKey);
    },
  };
}

/** Starts the DaemonSet controller in process. */
export function startDaemonSetController(deps: DaemonSetControllerDeps): Promise<RunningController> {
  return startController(deps.store, daemonSetControllerSpec(deps), deps.logger);
}
