/**
 * One step of a RollingUpdate: grow the new ReplicaSet within `maxSurge`,
 * then shrink old ones while keeping `replicas − maxUnavailable` available.
 * Each step is computed from the current level, so repeating it is harmless.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { byAge, rollingBudget, specReplicas, sumSpec } from './replica-sets.ts';
import { allSets, type PlanState, scaleTo } from './state.ts';

/** How large the new ReplicaSet may be now: up to `replicas`, keeping every set's total within `replicas + maxSurge`. */
export function newReplicaSetSize(s: PlanState): number {
  const replicas = specReplicas(s.deployment);
  const current = s.newRS ? specReplicas(s.newRS) : 0;
  const room = replicas + rollingBudget(s.deployment).maxSurge - sumSpec(allSets(s));
  return Math.max(0, Math.min(room, replicas - current)) + current;
}

/** Scales the new ReplicaSet toward `replicas`. Returns whether it changed (the step then ends). */
function reconcileNew(s: PlanState): boolean {
  const rs = s.newRS;
  if (!rs) return false;
  const replicas = specReplicas(s.deployment);
  const current = specReplicas(rs);
  if (current === replicas) return false;
  if (current > replicas) return scaleTo(s, rs, replicas);
  return scaleTo(s, rs, newReplicaSetSize(s));
}

/** Available replicas a set will keep: a status lagging a scale-down must not count pods already going away. */
function availableWithin(rs: ReplicaSet): number {
  return Math.min(specReplicas(rs), rs.status?.availableReplicas ?? 0);
}

/** Scales old ReplicaSets down as far as availability allows, unhealthy replicas first. */
function reconcileOld(s: PlanState): void {
  const old = byAge(s.oldRSs).filter((rs) => specReplicas(rs) > 0);
  if (!old.length) return;
  const replicas = specReplicas(s.deployment);
  const minAvailable = replicas - rollingBudget(s.deployment).maxUnavailable;
  const newUnavailable = s.newRS ? Math.max(0, specReplicas(s.newRS) - (s.newRS.status?.availableReplicas ?? 0)) : 0;
  let budget = sumSpec(allSets(s)) - minAvailable - newUnavailable;
  if (budget <= 0) return;
  // Replicas that are not available cost no availability to remove.
  for (const rs of old) {
    if (budget <= 0) break;
    const unhealthy = specReplicas(rs) - Math.min(specReplicas(rs), rs.status?.availableReplicas ?? 0);
    const cut = Math.min(budget, unhealthy);
    if (cut > 0 && scaleTo(s, rs, specReplicas(rs) - cut)) budget -= cut;
  }
  let removable = allSets(s).reduce((n, rs) => n + availableWithin(rs), 0) - minAvailable;
  for (const rs of old) {
    if (removable <= 0) break;
    const cut = Math.min(removable, specReplicas(rs));
    if (cut > 0 && scaleTo(s, rs, specReplicas(rs) - cut)) removable -= cut;
  }
}

/** Applies one RollingUpdate step to `s` (the new ReplicaSet must already exist or be planned). */
export function rollingStep(s: PlanState): void {
  if (reconcileNew(s)) return;
  reconcileOld(s);
}
