/**
 * A DaemonSet's RollingUpdate step over the nodes that already run its
 * pods: without surge, old pods are deleted (and recreated by the next
 * sync) while fewer than `maxUnavailable` nodes lack an available pod; with
 * `maxSurge`, a new pod starts beside the old one on up to `maxSurge` nodes
 * and the old one goes once the new one is available. Unavailable old pods
 * are replaced at once in both. Also keeps one pod per node (one of each
 * revision while surging). Pure.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { CONTROLLER_REVISION_HASH_LABEL } from './pod.ts';

/** The live (not terminating, not finished) daemon pods of one node, oldest first. */
export interface NodePods {
  node: string;
  shouldRun: boolean;
  pods: Pod[];
}

/** A pod's readiness: ready now, available now (ready for `minReadySeconds`), or available in `inMs`. */
export function availability(
  pod: Pod,
  minReadySeconds: number,
  now: Date,
): { ready: boolean; available: boolean; inMs?: number } {
  const cond = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
  if (cond?.status !== 'True') return { ready: false, available: false };
  if (minReadySeconds <= 0) return { ready: true, available: true };
  const since = Date.parse(cond.lastTransitionTime ?? '');
  if (Number.isNaN(since)) return { ready: true, available: true };
  const inMs = since + minReadySeconds * 1000 - now.getTime();
  return inMs <= 0 ? { ready: true, available: true } : { ready: true, available: false, inMs };
}

/** An int-or-percent scaled against `total`, rounding up, as Kubernetes scales DaemonSet budgets. */
function scaled(value: number | string | undefined, total: number): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number.parseInt(value, 10) || 0;
  return Math.ceil((Number(m[1]) * total) / 100);
}

/** `maxSurge` and `maxUnavailable` of `ds` against `desired` nodes (unavailability 1 when both come to 0). */
export function daemonSetBudget(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec?.updateStrategy?.rollingUpdate;
  const maxSurge = scaled(ru?.maxSurge ?? 0, desired);
  const maxUnavailable = scaled(ru?.maxUnavailable ?? 1, desired);
  if (desired > 0 && maxSurge === 0 && maxUnavailable === 0) return { maxSurge: 0, maxUnavailable: 1 };
  return { maxSurge, maxUnavailable };
}

/** Creates and deletes of one step; `rolling` false (OnDelete) only keeps one pod per node. */
export function rollingUpdate(
  ds: DaemonSet,
  hash: string,
  nodes: readonly NodePods[],
  desired: number,
  now: Date,
  rolling: boolean,
): { create: string[]; delete: Pod[] } {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const isAvailable = (p: Pod) => availability(p, minReady, now).available;
  const isNew = (p: Pod) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;
  const { maxSurge, maxUnavailable } = daemonSetBudget(ds, desired);
  const surging = rolling && maxSurge > 0;
  const create: string[] = [];
  const del: Pod[] = [];
  const kept: { node: NodePods; newPod?: Pod; oldPod?: Pod }[] = [];
  for (const n of nodes) {
    if (!surging) {
      const [keep, ...extra] = n.pods;
      del.push(...extra);
      kept.push({ node: n, ...(isNew(keep) ? { newPod: keep } : { oldPod: keep }) });
      continue;
    }
    const news = n.pods.filter(isNew);
    const olds = n.pods.filter((p) => !isNew(p));
    const newPod = news.find(isAvailable) ?? news[0];
    const oldPod = olds.find(isAvailable) ?? olds[0];
    del.push(...news.filter((p) => p !== newPod), ...olds.filter((p) => p !== oldPod));
    kept.push({ node: n, newPod, oldPod });
  }
  if (!rolling) return { create, delete: del };
  const eligible = kept.filter((k) => k.node.shouldRun);
  if (!surging) {
    const availableNodes = eligible.filter((k) => isAvailable((k.newPod ?? k.oldPod) as Pod)).length;
    let unavailable = desired - availableNodes;
    for (const k of eligible) {
      if (!k.oldPod) continue;
      if (!isAvailable(k.oldPod)) del.push(k.oldPod);
      else if (unavailable < maxUnavailable) {
        del.push(k.oldPod);
        unavailable++;
      }
    }
    return { create, delete: del };
  }
  let surge = eligible.filter((k) => k.oldPod && k.newPod && !isAvailable(k.newPod)).length;
  for (const k of eligible) {
    if (!k.oldPod) continue;
    if (k.newPod) {
      if (isAvailable(k.newPod)) del.push(k.oldPod);
    } else if (!isAvailable(k.oldPod)) {
      create.push(k.node.node);
    } else if (surge < maxSurge) {
      create.push(k.node.node);
      surge++;
    }
  }
  return { create, delete: del };
}
