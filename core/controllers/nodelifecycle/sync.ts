/**
 * The node lifecycle controller: re-reads a node and its Lease by key, posts
 * Unknown conditions once the node's heartbeats are older than the grace
 * period, keeps the condition taints current (not-ready / unreachable
 * NoExecute among them), marks the pods of an unknown node not ready, and
 * evicts pods from NoExecute-tainted nodes when their tolerations run out
 * (the taint manager), so their controllers recreate them elsewhere. A dead
 * node sends no events, so every sync asks to be run again when the node
 * would go stale or the next toleration ends.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { findResource, type ResourceInfo, storageResource } from '../../api/resources.ts';
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
  type RunningController,
  type SyncResult,
  startController,
} from '../runtime/controller.ts';
import { DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS } from './conditions.ts';
import { planNode, planPods, podsMatter } from './plan.ts';

/** The component node lifecycle events come from (`source.component`). */
export const NODE_CONTROLLER = 'node-controller';
/** The namespace of node heartbeat Leases. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases') as ResourceInfo;

/** Dependencies and settings of the node lifecycle controller. */
export interface NodeLifecycleControllerDeps {
  store: Store;
  registry: Registry;
  logger: Logger;
  now?: () => Date;
  /** How old a node's last heartbeat may be before it is Unknown (`--node-monitor-grace-period`, default 40 s). */
  gracePeriodMs?: number;
}

const nodeKey = (name: string) => `/${name}`;
const nameOf = (key: string) => key.slice(key.indexOf('/') + 1);

async function leaseOf(deps: NodeLifecycleControllerDeps, name: string): Promise<Lease | undefined> {
  try {
    return (await deps.registry.get(LEASES, NODE_LEASE_NAMESPACE, name)) as Lease;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * Reconciles the node `/<name>`. Idempotent: writes only what differs.
 * Throws to retry (a conflict means the node moved: the retry re-reads it).
 */
export async function syncNodeLifecycle(
  deps: NodeLifecycleControllerDeps,
  key: string,
): Promise<SyncResult | undefined> {
  const now = deps.now?.() ?? new Date();
  const ctx = systemContext(now);
  const name = nameOf(key);
  let node: Node;
  try {
    node = (await deps.registry.get(NODES, '', name)) as Node;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  const plan = planNode(
    node,
    await leaseOf(deps, name),
    now,
    deps.gracePeriodMs ?? DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS,
  );
  const pinned = { resourceVersion: node.metadata?.resourceVersion };
  if (plan.conditions) {
    const conditions = plan.conditions;
    const written = await deps.registry.write(
      ctx,
      NODES,
      '',
      name,
      (cur) => ({ ...cur, status: { ...(cur.status as object), conditions } }),
      'status',
      pinned,
    );
    pinned.resourceVersion = written.metadata.resourceVersion;
  }
  if (plan.taints) {
    const taints = plan.taints;
    await deps.registry.write(
      ctx,
      NODES,
      '',
      name,
      (cur) => {
        const spec = { ...(cur.spec as object), taints } as Record<string, unknown>;
        if (taints.length === 0) delete spec.taints;
        return { ...cur, spec };
      },
      '',
      pinned,
    );
  }
  const events = new ControllerEventRecorder(deps.registry, NODE_CONTROLLER, () => now);
  // Kubernetes files node Events in `default` with the node's name as its uid.
  const nodeRef = { apiVersion: 'v1', kind: 'Node', name, uid: name };
  for (const ev of plan.events) await events.tryRecord({ object: nodeRef, ...ev });
  let requeue = plan.requeueAfterMs;
  if (podsMatter(plan)) {
    const bound = (o: KubeObject) => (o.spec as Pod['spec'])?.nodeName === name;
    const pods = (await deps.store.list('pods', { predicate: bound })).items as unknown as Pod[];
    const podPlan = planPods(plan, pods, now);
    for (const pod of podPlan.markNotReady) await markNotReady(deps, events, pod, now);
    for (const pod of podPlan.evict) await evict(deps, events, pod, now);
    if (podPlan.requeueAfterMs !== undefined)
      requeue = Math.min(requeue ?? podPlan.requeueAfterMs, podPlan.requeueAfterMs);
  }
  return requeue !== undefined ? { requeueAfterMs: requeue } : undefined;
}

const podRef = (pod: Pod) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  namespace: pod.metadata?.namespace,
  name: pod.metadata?.name,
  uid: pod.metadata?.uid,
});

async function markNotReady(deps: NodeLifecycleControllerDeps, events: ControllerEventRecorder, pod: Pod, now: Date) {
  const setFalse = (cur: KubeObject) => {
    const status = structuredClone((cur.status ?? {}) as NonNullable<Pod['status']>);
    status.conditions = (status.conditions ?? []).map((c) =>
      c.type === 'Ready' && c.status !== 'False' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c,
    );
    return { ...cur, status };
  };
  try {
    await deps.registry.write(
      systemContext(now),
      PODS,
      pod.metadata?.namespace ?? '',
      pod.metadata?.name ?? '',
      setFalse,
      'status',
      {
        uid: pod.metadata?.uid,
      },
    );
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  await events.tryRecord({
    object: podRef(pod),
    type: 'Warning',
    reason: 'NodeNotReady',
    message: 'Node is not ready',
  });
}

/** The condition Kubernetes' taint manager puts on a pod it is about to delete. */
const DISRUPTION_TARGET = {
  type: 'DisruptionTarget',
  status: 'True',
  reason: 'DeletionByTaintManager',
  message: 'Taint manager: deleting due to NoExecute taint',
};

async function evict(deps: NodeLifecycleControllerDeps, events: ControllerEventRecorder, pod: Pod, now: Date) {
  const ns = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const addCondition = (cur: KubeObject) => {
    const status = structuredClone((cur.status ?? {}) as NonNullable<Pod['status']>);
    const others = (status.conditions ?? []).filter((c) => c.type !== DISRUPTION_TARGET.type);
    status.conditions = [...others, { ...DISRUPTION_TARGET, lastTransitionTime: rfc3339(now) }];
    return { ...cur, status };
  };
  try {
    if (!pod.status?.conditions?.some((c) => c.type === DISRUPTION_TARGET.type && c.status === 'True')) {
      await deps.registry.write(systemContext(now), PODS, ns, name, addCondition, 'status', { uid: pod.metadata?.uid });
    }
    await deleteObject(deps.registry, { garbageCollector: false }, systemContext(now), PODS, ns, name, {
      preconditions: { uid: pod.metadata?.uid },
    });
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  const message = `Marking for deletion Pod ${ns}/${name}`;
  await events.tryRecord({ object: podRef(pod), type: 'Normal', reason: 'TaintManagerEviction', message });
}

/** Keys a pod change concerns: its node, when the pod just landed there (a tainted node may have to evict it). */
function podKeys(e: StoreEvent): string[] {
  const node = (e.object.spec as Pod['spec'])?.nodeName;
  if (!node || e.type === 'DELETED') return [];
  const before = (e.prevObject?.spec as Pod['spec'] | undefined)?.nodeName;
  return e.type === 'ADDED' || before !== node ? [nodeKey(node)] : [];
}

/** The node lifecycle controller's spec: nodes concern themselves, Leases their node, newly bound pods theirs. */
export function nodeLifecycleControllerSpec(deps: NodeLifecycleControllerDeps): ControllerSpec {
  return {
    name: 'nodelifecycle',
    watches: [
      { resource: 'nodes', keys: (e) => [nodeKey(e.object.metadata.name ?? '')] },
      {
        resource: storageResource(LEASES),
        keys: (e) =>
          e.object.metadata.namespace === NODE_LEASE_NAMESPACE ? [nodeKey(e.object.metadata.name ?? '')] : [],
      },
      { resource: 'pods', keys: podKeys },
    ],
    sync: (key) => syncNodeLifecycle(deps, key),
    initialKeys: async () => (await deps.store.list('nodes')).items.map((n) => nodeKey(n.metadata.name ?? '')),
  };
}

/** Starts the node lifecycle controller in process. */
export function startNodeLifecycleController(deps: NodeLifecycleControllerDeps): Promise<RunningController> {
  return startController(deps.store, nodeLifecycleControllerSpec(deps), deps.logger);
}
