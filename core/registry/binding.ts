/**
 * Binding a pod to a node: the one write behind both the `pods/binding`
 * subresource and the scheduler. As Kubernetes' binding REST, it is a system
 * write (no update validation) that succeeds only while the pod is unbound,
 * not being deleted and, when the caller names one, still the same object (UID).
 * Unlike Kubernetes, it also refuses a pod the node has no room for: the
 * pod's requests are first reserved in the node's allocation record
 * (`node-allocation.ts`; nodes that report no allocatable are not guarded), so parallel schedulers never overcommit a node.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import { rfc3339 } from '../api/time.ts';
import { conflict, isConflict, isNotFound } from '../errors/index.ts';
import { isStorageError } from '../storage/errors.ts';
import { allocationEntry, release, reserve } from './node-allocation.ts';
import { toStatusError } from './storage-errors.ts';
import type { Registry } from './registry.ts';
import type { RequestContext } from './strategy.ts';

/** Optional parts of a binding. */
export interface BindOptions {
  /** The UID the caller scheduled; a pod deleted and recreated under the same name then answers 409. */
  uid?: string;
  /** Annotations the Binding carries, merged into the pod's. */
  annotations?: Record<string, string>;
  /**
   * The caller's copy of the pod (the scheduler's), to take its requests from
   * without reading it again; the write still re-checks the stored pod.
   */
  pod?: Pod;
  /**
   * The caller's copy of the target node (the scheduler's), whose
   * allocatable the reservation is checked against instead of reading it.
   */
  node?: Node;
}

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
const PODS_GR = { group: '', resource: 'pods' };

/**
 * Assigns pod `namespace/name` to `nodeName`: reserves the pod's requests in
 * the node's allocation record (when the node exists: binding to an unknown
 * node is allowed, as in Kubernetes), then sets `spec.nodeName` and the
 * `PodScheduled=True` condition in one conditional store write (retried on
 * write conflicts, each retry re-checking the pod). Returns the bound pod.
 * Throws 404 NotFound when the pod is gone and 409 Conflict when its UID is
 * not `opts.uid`, it is being deleted, it is already assigned to a node, or
 * the node has no room left for it (requests, pod count, host ports against
 * what earlier bindings reserved), so two binders racing for one pod, or for
 * the last room on one node, never both succeed. A refused write releases the
 * reservation. Not idempotent: a second call for a bound pod answers 409.
 */
export async function bindPod(
  registry: Registry,
  ctx: RequestContext,
  namespace: string,
  name: string,
  nodeName: string,
  opts: BindOptions = {},
): Promise<Pod> {
  const hinted = opts.pod && (!opts.uid || opts.pod.metadata?.uid === opts.uid);
  const pod = hinted ? opts.pod! : ((await registry.get(PODS, namespace, name)) as unknown as Pod);
  const uid = opts.uid || pod.metadata?.uid;
  checkBindable(pod, name, uid);
  if (ctx.dryRun) return writeBinding(registry, ctx, namespace, name, nodeName, { ...opts, uid });
  const node = opts.node?.metadata?.name === nodeName ? opts.node : await getNode(registry, nodeName);
  const store = registry.deps.store;
  // A Node that reports no allocatable (created by hand, no agent yet) has no capacity to
  // guard: Kubernetes' binding never checks capacity, so neither do we there.
  const guarded = node?.status?.allocatable !== undefined;
  const reservation =
    node && uid && guarded ? await reserve(store, node, uid, allocationEntry(pod, ctx.now), ctx.now) : undefined;
  try {
    return await writeBinding(registry, ctx, namespace, name, nodeName, { ...opts, uid });
  } catch (e) {
    // A refused write (409/404) binds nothing: free the room, unless a binder that found our
    // reservation already bound this very pod to this node. After any other error the write may
    // still land, so the entry stays until room is next needed.
    if (reservation?.added && (isConflict(e) || isNotFound(e))) {
      await release(store, nodeName, uid!, { namespace, name }).catch(() => undefined);
    }
    throw e;
  }
}

async function getNode(registry: Registry, nodeName: string): Promise<Node | undefined> {
  try {
    return (await registry.deps.store.get(registry.key(NODES, '', nodeName))) as unknown as Node;
  } catch (e) {
    if (isStorageError(e, 'KeyNotFound')) return undefined;
    throw e;
  }
}

function checkBindable(pod: Pod, name: string, uid: string | undefined): void {
  if (uid && uid !== pod.metadata?.uid) {
    throw conflict(PODS_GR, name, 'the UID in the binding does not match the pod');
  }
  if (pod.metadata?.deletionTimestamp) {
    throw conflict(PODS_GR, name, 'pod is being deleted, cannot be assigned to a host');
  }
  if (pod.spec?.nodeName) {
    throw conflict(PODS_GR, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
  }
}

async function writeBinding(
  registry: Registry,
  ctx: RequestContext,
  namespace: string,
  name: string,
  nodeName: string,
  opts: BindOptions,
): Promise<Pod> {
  const bind = (cur: KubeObject): KubeObject => {
    const pod = cur as unknown as Pod;
    checkBindable(pod, name, opts.uid);
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({
      type: 'PodScheduled',
      status: 'True',
      lastTransitionTime: rfc3339(ctx.now),
      lastProbeTime: null as unknown as undefined,
    });
    const metadata = opts.annotations
      ? { ...cur.metadata, annotations: { ...cur.metadata.annotations, ...opts.annotations } }
      : cur.metadata;
    // New objects all the way down to what changes: `cur` may be a caller's (shared) copy.
    return {
      ...cur,
      metadata,
      spec: { ...(cur.spec as object), nodeName },
      status: { ...(cur.status as object), conditions },
    };
  };
  const hint = opts.pod as unknown as KubeObject | undefined;
  const resourceVersion = hint?.metadata?.resourceVersion;
  if (hint && resourceVersion && !ctx.dryRun) {
    // While its resourceVersion is current the caller's copy is the stored pod: write on it without reading again.
    try {
      const key = registry.key(PODS, namespace, name);
      const bound = await registry.deps.store.update(key, bind(hint), { resourceVersion });
      return { apiVersion: 'v1', kind: 'Pod', ...bound } as unknown as Pod;
    } catch (e) {
      if (!isStorageError(e, 'Conflict')) throw toStatusError(e, PODS, name);
    }
  }
  return (await registry.systemUpdate(ctx, PODS, namespace, name, bind)) as unknown as Pod;
}
