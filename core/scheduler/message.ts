/**
 * The FailedScheduling message, worded and ordered as kube-scheduler 1.32's
 * `FitError.Error()`: `0/3 nodes are available: 1 node(s) had untolerated
 * taint {dedicated: gpu}, 2 Insufficient cpu.` Reasons are counted across
 * nodes and the "<count> <reason>" strings sorted bytewise. skube does not
 * preempt, so the `preemption: ...` part Kubernetes appends is absent.
 */
import type { Status } from './framework.ts';

/** The message when the cluster has no nodes at all (`ErrNoNodesAvailable`). */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/** A status's reasons as one message (`Status.Message()`). */
export function statusMessage(status: Status): string {
  return status.reasons.join(', ');
}

/** What a failed cycle knows: see {@link fitErrorMessage}. */
export interface FitErrorParts {
  readonly numAllNodes: number;
  /** Set when a PreFilter plugin rejected the pod; per-node reasons are then not listed. */
  readonly preFilterMessage?: string;
  /** The reasons each filtered node was rejected with. */
  readonly nodeReasons?: Iterable<readonly string[]>;
  /** Nodes never filtered because PreFilter narrowed the candidates, and the reasons they count under. */
  readonly absentNodes?: { readonly count: number; readonly reasons: readonly string[] };
  readonly postFilterMessage?: string;
}

/** Formats `0/N nodes are available: <prefilter or counted reasons>.[ <postfilter>.]`. */
export function fitErrorMessage(parts: FitErrorParts): string {
  let msg = `0/${parts.numAllNodes} nodes are available:`;
  if (parts.preFilterMessage) {
    msg += ` ${parts.preFilterMessage}.`;
  } else {
    const counts = new Map<string, number>();
    for (const reasons of parts.nodeReasons ?? []) {
      for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    if (parts.absentNodes && parts.absentNodes.count > 0) {
      for (const r of parts.absentNodes.reasons) counts.set(r, (counts.get(r) ?? 0) + parts.absentNodes.count);
    }
    // Go's sort.Strings orders by bytes; for these ASCII strings that is JS's default order.
    const histogram = [...counts].map(([r, n]) => `${n} ${r}`).sort();
    if (histogram.length > 0) msg += ` ${histogram.join(', ')}.`;
  }
  if (parts.postFilterMessage) msg += ` ${parts.postFilterMessage}.`;
  return msg;
}
