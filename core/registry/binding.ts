/**
 * Binding a pod to a node: the one write behind both the `pods/binding`
 * subresource and the scheduler. As Kubernetes' binding REST, it is a system
 * write (no update validation) that succeeds only while the pod is unbound,
 * not being deleted and, when the caller names one, still the same object (UID).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import { rfc3339 } from '../api/time.ts';
import { conflict } from '../errors/index.ts';
import type { Registry } from './registry.ts';
import type { RequestContext } from './strategy.ts';

/** Optional parts of a binding. */
export interface BindOptions {
  /** The UID the caller scheduled; a pod deleted and recreated under the same name then answers 409. */
  uid?: string;
  /** Annotations the Binding carries, merged into the pod's. */
  annotations?: Record<string, string>;
}

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
const PODS_GR = { group: '', resource: 'pods' };

/**
 * Assigns pod `namespace/name` to `nodeName`: sets `spec.nodeName` and the
 * `PodScheduled=True` condition in one conditional store write (retried on
 * write conflicts, each retry re-checking the pod). Returns the bound pod.
 * Throws 404 NotFound when the pod is gone and 409 Conflict when its UID is
 * not `opts.uid`, it is being deleted, or it is already assigned to a node,
 * so two binders racing for one pod never both succeed. Not idempotent: a
 * second call for a bound pod answers 409.
 */
export async function bindPod(
  registry: Registry,
  ctx: RequestContext,
  namespace: string,
  name: string,
  nodeName: string,
  opts: BindOptions = {},
): Promise<Pod> {
  const bound = await registry.systemUpdate(ctx, PODS, namespace, name, (cur) => {
    const pod = cur as unknown as Pod;
    if (opts.uid && opts.uid !== cur.metadata.uid) {
      throw conflict(PODS_GR, name, 'the UID in the binding does not match the pod');
    }
    if (cur.metadata.deletionTimestamp) {
      throw conflict(PODS_GR, name, 'pod is being deleted, cannot be assigned to a host');
    }
    if (pod.spec?.nodeName) {
      throw conflict(PODS_GR, name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    }
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
    return {
      ...cur,
      metadata,
      spec: { ...(cur.spec as object), nodeName },
      status: { ...(cur.status as object), conditions },
    };
  });
  return bound as unknown as Pod;
}
