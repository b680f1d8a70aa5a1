/**
 * How cluster changes reach the scheduler (kube-scheduler's event handlers):
 * informers over nodes, pods and the workloads spreading reads feed the
 * {@link SchedulerCache}, pending pods that are ours enter the
 * {@link SchedulingQueue}, and changes that could make a waiting pod fit (a
 * node added or changed in a way scheduling sees, a pod leaving a node) move
 * the unschedulable pods back.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { Logger } from '../apiserver/types.ts';
import type { Store } from '../storage/store.ts';
import type { SchedulerCache, WorkloadKind } from './cache.ts';
import { type Informer, type InformerHandlers, startInformer } from './informer.ts';
import { podKey } from './node-info.ts';
import type { SchedulingQueue } from './queue.ts';

/** What the handlers update, and whom they tell. */
export interface ClusterHandlerDeps {
  cache: SchedulerCache;
  queue: SchedulingQueue;
  /** Pods with this `spec.schedulerName` (empty means `default-scheduler`) are queued. */
  schedulerName: string;
  /** Called after every change (the loop's doorbell). */
  changed(): void;
  /** Called when a pod is deleted (to drop per-pod state such as event rate limits). */
  podDeleted?(key: string): void;
}

/** What {@link watchCluster} needs besides the handlers' deps. */
export interface ClusterWatchDeps extends ClusterHandlerDeps {
  store: Store;
  logger: Logger;
}

const WORKLOADS: [string, WorkloadKind][] = [
  ['services', 'Service'],
  ['replicasets.apps', 'ReplicaSet'],
  ['replicationcontrollers', 'ReplicationController'],
];

/** Whether the pod has finished (its resources are free). */
export const isTerminal = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** What a node contributes to scheduling decisions; heartbeats and other status noise leave it unchanged. */
export function nodeSchedulingView(node: Node): string {
  const s = node.status;
  const ready = s?.conditions?.find((c) => c.type === 'Ready')?.status;
  return JSON.stringify([
    node.metadata?.labels,
    node.spec?.taints,
    node.spec?.unschedulable,
    s?.allocatable ?? s?.capacity,
    ready,
  ]);
}

/** Whether `pod` waits for a node from the scheduler called `schedulerName`. */
export function isPendingFor(pod: Pod, schedulerName: string): boolean {
  return (
    !pod.spec?.nodeName &&
    !pod.metadata?.deletionTimestamp &&
    !isTerminal(pod) &&
    !pod.spec?.schedulingGates?.length &&
    (pod.spec?.schedulerName || 'default-scheduler') === schedulerName
  );
}

/**
 * The store types the scheduler mirrors, in the order to load them (nodes
 * first, so the first pods already see them), each with the handlers that
 * update the cache and the queue.
 */
export function clusterHandlers(deps: ClusterHandlerDeps): [string, InformerHandlers][] {
  const { cache, queue, changed } = deps;
  const asPod = (o: KubeObject) => o as unknown as Pod;
  const asNode = (o: KubeObject) => o as unknown as Node;
  const out: [string, InformerHandlers][] = [];

  out.push([
    'nodes',
    {
      add: (o) => {
        cache.upsertNode(asNode(o));
        queue.moveAll();
        changed();
      },
      update: (old, o) => {
        cache.upsertNode(asNode(o));
        if (nodeSchedulingView(asNode(old)) !== nodeSchedulingView(asNode(o))) queue.moveAll();
        changed();
      },
      remove: (o) => cache.removeNode(o.metadata.name ?? ''),
    },
  ]);

  for (const [resource, kind] of WORKLOADS) {
    const upsert = (o: KubeObject) => cache.upsertWorkload(kind, o as never);
    const remove = (o: KubeObject) => cache.removeWorkload(kind, o.metadata.namespace ?? '', o.metadata.name ?? '');
    out.push([resource, { add: upsert, update: (_, o) => upsert(o), remove }]);
  }

  const onPod = (pod: Pod, old?: Pod) => {
    const key = podKey(pod);
    if (pod.spec?.nodeName) {
      cache.upsertPod(pod);
      queue.delete(key);
      if (old?.spec?.nodeName && !isTerminal(old) && isTerminal(pod)) queue.moveAll();
    } else if (isPendingFor(pod, deps.schedulerName)) {
      // A stale copy of a pod whose binding is in flight only refreshes its entry (the loop skips assumed pods).
      queue.add(pod);
    } else {
      queue.delete(key);
    }
    changed();
  };
  out.push([
    'pods',
    {
      add: (o) => onPod(asPod(o)),
      update: (old, o) => onPod(asPod(o), asPod(old)),
      remove: (o) => {
        const pod = asPod(o);
        cache.removePod(pod);
        queue.delete(podKey(pod));
        deps.podDeleted?.(podKey(pod));
        if (pod.spec?.nodeName && !isTerminal(pod)) queue.moveAll();
        changed();
      },
    },
  ]);
  return out;
}

/**
 * Lists nodes, workloads and pods into the cache and queue, then keeps both
 * up to date until the returned informers are stopped. Throws when an
 * initial list fails.
 */
export async function watchCluster(deps: ClusterWatchDeps): Promise<Informer[]> {
  const informers: Informer[] = [];
  for (const [resource, handlers] of clusterHandlers(deps)) {
    informers.push(await startInformer(deps.store, resource, handlers, deps.logger));
  }
  return informers;
}
