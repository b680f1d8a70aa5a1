/**
 * Scaling a Deployment whose ReplicaSets are mid-rollout, as Kubernetes'
 * `scale` does: the change (up to `replicas + maxSurge` in all) is spread
 * over the active ReplicaSets in proportion to their sizes, measured against
 * the `max-replicas` annotation each carries from its last scaling, and the
 * rounding leftover goes to the largest set. With one active set it simply
 * follows `spec.replicas`; when the new set is saturated the old ones go to 0.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, rollingBudget, specReplicas } from './replica-sets.ts';
import { allSets, type PlanState, scaleTo } from './state.ts';

const annotation = (rs: ReplicaSet, key: string): number | undefined => {
  const n = Number.parseInt(rs.metadata?.annotations?.[key] ?? '', 10);
  return Number.isFinite(n) ? n : undefined;
};
const active = (sets: readonly ReplicaSet[]) => sets.filter((rs) => specReplicas(rs) > 0);
const created = (rs: ReplicaSet) => rs.metadata?.creationTimestamp ?? '';

/** Whether `spec.replicas` changed since an active ReplicaSet was last scaled (its desired-replicas annotation differs). */
export function isScalingEvent(s: PlanState): boolean {
  const want = specReplicas(s.deployment);
  return active(allSets(s)).some((rs) => {
    const desired = annotation(rs, DESIRED_REPLICAS_ANNOTATION);
    return desired !== undefined && desired !== want;
  });
}

/** The set that takes the whole size: the only active one, or the newest when none is active; undefined when several are. */
function activeOrLatest(s: PlanState): ReplicaSet | undefined {
  const sets = active(allSets(s));
  if (sets.length === 1) return sets[0];
  if (sets.length > 1) return undefined;
  return s.newRS ?? [...s.oldRSs].sort((a, b) => (created(a) < created(b) ? 1 : -1))[0];
}

function saturated(s: PlanState, rs: ReplicaSet | undefined): boolean {
  const want = specReplicas(s.deployment);
  return (
    !!rs &&
    specReplicas(rs) === want &&
    annotation(rs, DESIRED_REPLICAS_ANNOTATION) === want &&
    (rs.status?.availableReplicas ?? 0) === want
  );
}

/** How many of the `toAdd − added` still to place `rs` takes: its share at the new size, capped by what is left. */
function proportion(s: PlanState, rs: ReplicaSet, toAdd: number, added: number): number {
  const size = specReplicas(rs);
  if (size === 0 || toAdd === 0 || toAdd === added) return 0;
  const replicas = specReplicas(s.deployment);
  let fraction: number;
  if (replicas === 0) fraction = -size;
  else {
    const allowed = replicas + rollingBudget(s.deployment).maxSurge;
    const before = annotation(rs, MAX_REPLICAS_ANNOTATION) ?? s.deployment.status?.replicas ?? size;
    fraction = Math.round((size * allowed) / Math.max(1, before)) - size;
  }
  const left = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
}

/** `scaleTo`, also refreshing the scaling annotations of a set whose size stays (else the scale is never over). */
function resize(s: PlanState, rs: ReplicaSet, to: number): void {
  if (scaleTo(s, rs, to)) return;
  const replicas = specReplicas(s.deployment);
  const want = {
    [DESIRED_REPLICAS_ANNOTATION]: String(replicas),
    [MAX_REPLICAS_ANNOTATION]: String(replicas + rollingBudget(s.deployment).maxSurge),
  };
  const have = rs.metadata?.annotations ?? {};
  if (Object.entries(want).every(([k, v]) => have[k] === v)) return;
  rs.metadata = { ...rs.metadata, annotations: { ...have, ...want } };
  if (!(s.created && rs === s.newRS)) s.changed.add(rs.metadata?.name ?? '');
}

/** Scales the Deployment's ReplicaSets to `spec.replicas` (Kubernetes' `scale`). Pure over `s`. */
export function scaleDeployment(s: PlanState): void {
  const replicas = specReplicas(s.deployment);
  const only = activeOrLatest(s);
  if (only) {
    resize(s, only, replicas);
    return;
  }
  if (saturated(s, s.newRS)) {
    for (const rs of active(s.oldRSs)) resize(s, rs, 0);
    return;
  }
  if (s.deployment.spec?.strategy?.type === 'Recreate') return;
  const sets = active(allSets(s));
  const allowed = replicas > 0 ? replicas + rollingBudget(s.deployment).maxSurge : 0;
  const toAdd = allowed - sets.reduce((n, rs) => n + specReplicas(rs), 0);
  // Largest first; ties go to the newest when growing and to the oldest when shrinking.
  sets.sort((a, b) => {
    const d = specReplicas(b) - specReplicas(a);
    if (d !== 0) return d;
    const newerFirst = created(a) < created(b) ? 1 : created(a) > created(b) ? -1 : 0;
    return toAdd > 0 ? newerFirst : -newerFirst;
  });
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of sets) {
    const p = proportion(s, rs, toAdd, added);
    sizes.set(rs, specReplicas(rs) + p);
    added += p;
  }
  sets.forEach((rs, i) => {
    let size = sizes.get(rs) ?? specReplicas(rs);
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    resize(s, rs, size);
  });
}
