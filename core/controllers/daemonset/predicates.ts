/**
 * Whether a DaemonSet should run on a node (`NodeShouldRunDaemonPod`), with
 * the scheduler's own predicates: the pod's `nodeName`, its nodeSelector and
 * required node affinity, and the node's NoSchedule/NoExecute taints against
 * the tolerations the daemon pod will carry.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { requiredNodeAffinity } from '../../scheduler/selectors.ts';
import { findUntoleratedTaint, isDoNotScheduleTaint } from '../../scheduler/taints.ts';

/** A node's verdict for one daemon pod. */
export interface NodeVerdict {
  /** A daemon pod should be created here if missing (counts in `desiredNumberScheduled`). */
  shouldRun: boolean;
  /** A daemon pod already here may stay (an untolerated NoSchedule taint does not evict it; NoExecute does). */
  shouldContinueRunning: boolean;
}

/** Judges `node` for `pod` (the daemon pod built for that node). Pure. */
export function nodeShouldRunDaemonPod(node: Node, pod: Pod): NodeVerdict {
  const name = node.metadata?.name ?? '';
  if (pod.spec?.nodeName && pod.spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  if (!requiredNodeAffinity(pod).matches(node.metadata?.labels, name)) {
    return { shouldRun: false, shouldContinueRunning: false };
  }
  const taints = node.spec?.taints ?? [];
  const tolerations = pod.spec?.tolerations;
  if (!findUntoleratedTaint(taints, tolerations, isDoNotScheduleTaint)) {
    return { shouldRun: true, shouldContinueRunning: true };
  }
  const evicting = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
  return { shouldRun: false, shouldContinueRunning: !evicting };
}
