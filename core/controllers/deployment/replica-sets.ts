/**
 * Facts about a Deployment's ReplicaSets the plan needs: revisions, the
 * deployment annotations, replica sums, and the surge/unavailability budget.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';

/** The revision annotation on a Deployment and each of its ReplicaSets. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
/** The Deployment's `spec.replicas` when the ReplicaSet was last scaled. */
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
/** `spec.replicas + maxSurge` when the ReplicaSet was last scaled. */
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

/** Deployment annotations never copied onto a ReplicaSet (they describe the Deployment itself). */
export const ANNOTATIONS_NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
]);

/** The revision of `obj` (0 when absent or malformed). */
export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } }): number {
  const n = Number.parseInt(obj.metadata?.annotations?.[REVISION_ANNOTATION] ?? '', 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** `spec.replicas` of a ReplicaSet or Deployment (default 1, as the API defaults it). */
export function specReplicas(obj: ReplicaSet | Deployment): number {
  return obj.spec?.replicas ?? 1;
}

/** The sum of `spec.replicas` over `sets`. */
export function sumSpec(sets: readonly ReplicaSet[]): number {
  return sets.reduce((n, rs) => n + specReplicas(rs), 0);
}

/** The sum of one status counter over `sets`. */
export function sumStatus(
  sets: readonly ReplicaSet[],
  field: 'replicas' | 'readyReplicas' | 'availableReplicas',
): number {
  return sets.reduce((n, rs) => n + (rs.status?.[field] ?? 0), 0);
}

/** ReplicaSets oldest first (creation time, then name), as Kubernetes orders old sets for scale-down. */
export function byAge(sets: readonly ReplicaSet[]): ReplicaSet[] {
  return [...sets].sort((a, b) => {
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
  });
}

function resolve(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return Number.parseInt(value, 10) || 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * The rolling-update budget of `d`: `maxSurge` rounds up and `maxUnavailable`
 * down against `spec.replicas`; when both come to 0, `maxUnavailable` is 1 so
 * the rollout can progress. Recreate has no surge and no budget.
 */
export function rollingBudget(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  if (d.spec?.strategy?.type === 'Recreate') return { maxSurge: 0, maxUnavailable: 0 };
  const replicas = specReplicas(d);
  const ru = d.spec?.strategy?.rollingUpdate;
  const maxSurge = resolve(ru?.maxSurge ?? '25%', replicas, true);
  const maxUnavailable = resolve(ru?.maxUnavailable ?? '25%', replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) return { maxSurge: 0, maxUnavailable: 1 };
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, replicas) };
}
