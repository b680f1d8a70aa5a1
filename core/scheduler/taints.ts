/**
 * Taint/toleration matching as in component-helpers' `scheduling/corev1`:
 * shared by TaintToleration, NodeUnschedulable, NodeReady and PodTopologySpread.
 */
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

/** Taint key the node lifecycle controller sets while a node is not ready. */
export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
/** Taint key the node lifecycle controller sets while a node is unreachable. */
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
/** Taint key mirroring `spec.unschedulable`. */
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/**
 * Whether one toleration tolerates one taint: an empty effect matches every
 * effect, an empty key matches every key, `Exists` matches any value and
 * `Equal` (or no operator) the same value.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** Whether any of `tolerations` tolerates `taint`. */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** Taints that keep pods off a node: NoSchedule and NoExecute (`DoNotScheduleTaintsFilterFunc`). */
export function isDoNotScheduleTaint(taint: Taint): boolean {
  return taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';
}

/** The first taint, in node order, that passes `include` and none of `tolerations` tolerates. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[] | undefined,
  include: (taint: Taint) => boolean,
): Taint | undefined {
  for (const taint of taints) {
    if (include(taint) && !tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}
