/**
 * One step of a Recreate rollout: every old ReplicaSet goes to 0 and its pods
 * must be gone before the new ReplicaSet is scaled up to `replicas`.
 */
import { specReplicas } from './replica-sets.ts';
import { type PlanState, scaleTo } from './state.ts';

/**
 * Applies one Recreate step to `s`. Returns false when the new ReplicaSet
 * must not exist yet (old pods are still running), so the caller does not
 * create it.
 */
export function recreateStep(s: PlanState): boolean {
  let scaledDown = false;
  for (const rs of s.oldRSs) if (scaleTo(s, rs, 0)) scaledDown = true;
  if (scaledDown) return false;
  if (s.oldRSs.some((rs) => (rs.status?.replicas ?? 0) > 0)) return false;
  if (s.newRS) scaleTo(s, s.newRS, specReplicas(s.deployment));
  return true;
}
