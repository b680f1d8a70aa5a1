/**
 * Pods: status starts Pending, status is written only through `pods/status`
 * (which may also change labels and annotations, as in Kubernetes), and deletion is graceful for pods bound to a node (the kubelet finishes it)
 * but immediate for unscheduled or finished pods, as in Kubernetes.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ResourceStrategy } from '../strategy.ts';

/** Kubernetes' QoS class of a pod spec: Guaranteed, Burstable or BestEffort. */
export function qosClass(pod: Pod): string {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let anySet = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) anySet = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** The Pod strategy. */
export const podStrategy: ResourceStrategy = {
  statusSubresource: true,
  usesGeneration: false,
  returnDeletedObject: true,
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending', qosClass: qosClass(obj as unknown as Pod) };
  },
  prepareForStatusUpdate(obj, _old, _ctx, desired) {
    // As Kubernetes' pod status strategy: a status write may also change labels and
    // annotations (the kubelet records published ports this way). Unlike Kubernetes, a
    // body without them leaves them as they are rather than clearing them.
    if (desired.metadata?.labels) obj.metadata.labels = { ...desired.metadata.labels };
    if (desired.metadata?.annotations) obj.metadata.annotations = { ...desired.metadata.annotations };
  },
  gracePeriod(obj, requested) {
    const pod = obj as unknown as Pod;
    const phase = pod.status?.phase;
    if (!pod.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  },
};
