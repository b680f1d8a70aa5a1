/**
 * The ReplicaSet / ReplicationController controller: re-reads the owner and
 * its namespace's pods by key, adopts and releases pods, creates or deletes
 * pods (gated by expectations, creates in slow-start batches), records
 * Events, and writes the owner's status.
 */
import type { Pod, ReplicationControllerCondition } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { findResource, type ResourceInfo } from '../../api/resources.ts';
import { rfc3339 } from '../../api/time.ts';
import type { Logger } from '../../apiserver/types.ts';
import { isNotFound } from '../../errors/index.ts';
import { systemContext } from '../../registry/bootstrap.ts';
import { deleteObject } from '../../registry/delete.ts';
import type { Registry } from '../../registry/registry.ts';
import type { Store, StoreEvent } from '../../storage/store.ts';
import { ControllerEventRecorder } from '../events.ts';
import {
  type ControllerSpec,
  type SyncResult,
  startController,
  type RunningController,
} from '../runtime/controller.ts';
import { objectKey, SelectorIndex, splitKey } from '../selector-index.ts';
import { ReplicaExpectations } from './expectations.ts';
import { type ReplicaKind, toReplicaOwner } from './kinds.ts';
import { controllerRefOf, podFromTemplate, ownerReferenceFor, planReplicas, slowStartBatches } from './plan.ts';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
/** How soon to look again while expectations are pending (a missed watch event must not stall the owner). */
const PENDING_RECHECK_MS = 1000;

/** Dependencies of a replica controller. */
export interface ReplicaControllerDeps {
  store: Store;
  registry: Registry;
  logger: Logger;
  now?: () => Date;
  /** Defaults to a fresh in-process instance per spec. */
  expectations?: ReplicaExpectations;
}

/** A replica controller bound to its kind, with its in-process state. */
interface Bound extends ReplicaControllerDeps {
  kind: ReplicaKind;
  now: () => Date;
  expectations: ReplicaExpectations;
  events: ControllerEventRecorder;
}

function bind(kind: ReplicaKind, deps: ReplicaControllerDeps): Bound {
  const now = deps.now ?? (() => new Date());
  return {
    ...deps,
    kind,
    now,
    expectations: deps.expectations ?? new ReplicaExpectations(),
    events: new ControllerEventRecorder(deps.registry, kind.component, now),
  };
}

/** Reconciles one owner of `kind` by `namespace/name` key. Idempotent; throws to retry (after writing status). */
export async function syncReplicas(
  kind: ReplicaKind,
  deps: ReplicaControllerDeps,
  key: string,
): Promise<SyncResult | undefined> {
  return syncBound(bind(kind, deps), key);
}

async function syncBound(d: Bound, key: string): Promise<SyncResult | undefined> {
  const now = d.now();
  const ctx = systemContext(now);
  const { namespace, name } = splitKey(key);
  let obj: KubeObject;
  try {
    obj = await d.registry.get(d.kind.info, namespace, name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    d.expectations.forget(key);
    return undefined;
  }
  const owner = toReplicaOwner(d.kind, obj);
  const pods = (await d.store.list('pods', { namespace })).items as unknown as Pod[];
  d.expectations.observeListing(key, pods);
  const plan = planReplicas(owner, pods, now);
  const ref = ownerReferenceFor(owner);
  for (const pod of plan.adopt) {
    await writePod(d, pod, (p) => ({
      ...p,
      metadata: { ...p.metadata, ownerReferences: [...(p.metadata?.ownerReferences ?? []), ref] },
    }));
  }
  for (const pod of plan.release) {
    await writePod(d, pod, (p) => ({
      ...p,
      metadata: {
        ...p.metadata,
        ownerReferences: (p.metadata?.ownerReferences ?? []).filter((r) => r.uid !== owner.uid),
      },
    }));
  }
  const involved = {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    namespace,
    name,
    uid: owner.uid,
    resourceVersion: obj.metadata.resourceVersion,
  };
  const satisfied = d.expectations.satisfied(key, now.getTime());
  let failure: Error | undefined;
  if (satisfied && plan.create > 0) {
    for (const size of slowStartBatches(plan.create)) {
      const results = await Promise.allSettled(
        Array.from({ length: size }, () =>
          d.registry.create(ctx, PODS, namespace, podFromTemplate(owner) as unknown as KubeObject),
        ),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') {
          const podName = r.value.metadata.name ?? '';
          d.expectations.expectCreate(key, podName, now.getTime());
          await d.events.tryRecord({
            object: involved,
            type: 'Normal',
            reason: 'SuccessfulCreate',
            message: `Created pod: ${podName}`,
          });
        } else {
          failure ??= r.reason as Error;
        }
      }
      if (failure) break;
    }
    if (failure) {
      await d.events.tryRecord({
        object: involved,
        type: 'Warning',
        reason: 'FailedCreate',
        message: `Error creating: ${failure.message}`,
      });
    }
  }
  if (satisfied && plan.delete.length > 0) {
    await Promise.all(
      plan.delete.map(async (pod) => {
        const podName = pod.metadata?.name ?? '';
        try {
          await deleteObject(d.registry, { garbageCollector: false }, ctx, PODS, namespace, podName, {
            preconditions: { uid: pod.metadata?.uid },
          });
        } catch (e) {
          if (!isNotFound(e)) throw e;
          return;
        }
        d.expectations.expectDelete(key, podName, now.getTime());
        await d.events.tryRecord({
          object: involved,
          type: 'Normal',
          reason: 'SuccessfulDelete',
          message: `Deleted pod: ${podName}`,
        });
      }),
    );
  }
  await writeStatus(d, owner.namespace, owner.name, plan.status, failure, now);
  if (failure) throw failure;
  if (!satisfied || !d.expectations.satisfied(key, now.getTime())) return { requeueAfterMs: PENDING_RECHECK_MS };
  return plan.requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(1, plan.requeueAfterMs) } : undefined;
}

/** Changes one pod's metadata if it is still the version the plan saw (else 409, and the sync retries). */
async function writePod(d: Bound, pod: Pod, mutate: (p: Pod) => Pod): Promise<void> {
  const ctx = systemContext(d.now());
  await d.registry.write(
    ctx,
    PODS,
    pod.metadata?.namespace ?? '',
    pod.metadata?.name ?? '',
    (cur) => mutate(cur as unknown as Pod) as unknown as KubeObject,
    '',
    { resourceVersion: pod.metadata?.resourceVersion },
  );
}

/** Sets the counts and the ReplicaFailure condition (present only while creates fail). */
async function writeStatus(
  d: Bound,
  namespace: string,
  name: string,
  counts: object,
  failure: Error | undefined,
  now: Date,
): Promise<void> {
  try {
    await d.registry.write(
      systemContext(now),
      d.kind.info,
      namespace,
      name,
      (cur) => {
        const prev = (cur.status ?? {}) as { conditions?: ReplicationControllerCondition[] };
        const others = (prev.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
        const old = (prev.conditions ?? []).find((c) => c.type === 'ReplicaFailure');
        const conditions = failure
          ? [
              ...others,
              old ?? {
                type: 'ReplicaFailure',
                status: 'True',
                reason: 'FailedCreate',
                message: failure.message,
                lastTransitionTime: rfc3339(now),
              },
            ]
          : others;
        const status: Record<string, unknown> = { ...prev, ...counts };
        if (conditions.length) status.conditions = conditions;
        else delete status.conditions;
        return { ...cur, status };
      },
      'status',
    );
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** The keys a pod change concerns: the owners it is (or was) controlled by, and, for orphans, the owners selecting it. */
function podKeys(d: Bound, index: SelectorIndex, e: StoreEvent): string[] {
  const keys = new Set<string>();
  const namespace = e.object.metadata.namespace ?? '';
  const orphanLabels = [];
  for (const obj of [e.object, e.prevObject]) {
    if (!obj) continue;
    const pod = obj as unknown as Pod;
    const ref = controllerRefOf(pod);
    if (!ref) {
      orphanLabels.push(pod.metadata?.labels);
      continue;
    }
    if (ref.kind !== d.kind.kind || ref.apiVersion?.split('/')[0] !== d.kind.apiVersion.split('/')[0]) continue;
    const key = `${namespace}/${ref.name}`;
    keys.add(key);
    const podName = pod.metadata?.name ?? '';
    if (e.type === 'DELETED' || pod.metadata?.deletionTimestamp) d.expectations.observeDelete(key, podName);
    else d.expectations.observeCreate(key, podName);
  }
  if (orphanLabels.length && e.type !== 'DELETED') for (const k of index.matching(namespace, orphanLabels)) keys.add(k);
  return [...keys];
}

/** The controller spec of `kind`: owner changes concern themselves; pod changes their owners. */
export function replicaControllerSpec(kind: ReplicaKind, deps: ReplicaControllerDeps): ControllerSpec {
  const d = bind(kind, deps);
  const index = new SelectorIndex((o) => kind.selectorOf(o));
  return {
    name: kind.controllerName,
    watches: [
      {
        resource: kind.storage,
        keys: (e) => {
          index.observeEvent(e);
          return [objectKey(e.object)];
        },
      },
      { resource: 'pods', keys: (e) => podKeys(d, index, e) },
    ],
    sync: (key) => syncBound(d, key),
    initialKeys: async () => {
      const owners = (await deps.store.list(kind.storage)).items;
      for (const o of owners) index.observe(o);
      return owners.map(objectKey);
    },
  };
}

/** Starts the controller of `kind` in process. */
export function startReplicaController(kind: ReplicaKind, deps: ReplicaControllerDeps): Promise<RunningController> {
  return startController(deps.store, replicaControllerSpec(kind, deps), deps.logger);
}
