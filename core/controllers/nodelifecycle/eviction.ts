/**
 * The NoExecute taint manager's decision for one pod on a tainted node: a
 * pod that does not tolerate every NoExecute taint is evicted at once; one
 * that does stays for the shortest `tolerationSeconds` among the tolerations
 * it uses (forever when none has a limit), counted from when the taints
 * were added. Pure.
 */
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { toleratesTaint } from '../../scheduler/taints.ts';

/** When to evict: now, at an epoch-ms time, or never. */
export type EvictionTime = { at: 'now' } | { at: 'later'; ms: number } | { at: 'never' };

/** Decides the eviction of `pod` from a node with `taints` (only NoExecute ones count). */
export function evictionTime(pod: Pod, taints: readonly Taint[], nowMs: number): EvictionTime {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return { at: 'never' };
  const tolerations: readonly Toleration[] = pod.spec?.tolerations ?? [];
  const used = new Set<Toleration>();
  for (const taint of noExecute) {
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return { at: 'now' };
    for (const t of matching) used.add(t);
  }
  let seconds: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    const s = Math.max(0, t.tolerationSeconds);
    seconds = seconds === undefined ? s : Math.min(seconds, s);
  }
  if (seconds === undefined) return { at: 'never' };
  const added = noExecute
    .map((t) => (t.timeAdded ? Date.parse(t.timeAdded) : Number.NaN))
    .filter((t) => !Number.isNaN(t));
  const since = added.length ? Math.max(...added) : nowMs;
  const at = since + seconds * 1000;
  return at <= nowMs ? { at: 'now' } : { at: 'later', ms: at };
}
