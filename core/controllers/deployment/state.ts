/**
 * The working state one planning pass mutates: clones of the Deployment's
 * ReplicaSets, which of them changed, the ReplicaSet to create, and the
 * Events to record. Only the plan functions in this folder use it.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, rollingBudget, specReplicas } from './replica-sets.ts';

/** An Event the plan asks to record on the Deployment. */
export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** The mutable state of one planning pass. */
export interface PlanState {
  deployment: Deployment;
  /** The ReplicaSet whose template is the Deployment's (a clone), if any. */
  newRS?: ReplicaSet;
  /** Every other owned ReplicaSet (clones). */
  oldRSs: ReplicaSet[];
  /** Set when `newRS` is to be created rather than updated. */
  created: boolean;
  /** Names of existing ReplicaSets whose clone changed. */
  changed: Set<string>;
  events: PlannedEvent[];
}

/** Every ReplicaSet of the state, the new one (if any) first. */
export function allSets(s: PlanState): ReplicaSet[] {
  return s.newRS ? [s.newRS, ...s.oldRSs] : [...s.oldRSs];
}

/**
 * Sets `rs.spec.replicas` to `to` with the desired/max-replicas annotations
 * and a `ScalingReplicaSet` event. Returns whether the size changed.
 */
export function scaleTo(s: PlanState, rs: ReplicaSet, to: number): boolean {
  const from = specReplicas(rs);
  if (from === to) return false;
  rs.spec = { ...(rs.spec as NonNullable<ReplicaSet['spec']>), replicas: to };
  const desired = specReplicas(s.deployment);
  rs.metadata = {
    ...rs.metadata,
    annotations: {
      ...rs.metadata?.annotations,
      [DESIRED_REPLICAS_ANNOTATION]: String(desired),
      [MAX_REPLICAS_ANNOTATION]: String(desired + rollingBudget(s.deployment).maxSurge),
    },
  };
  if (!(s.created && rs === s.newRS)) s.changed.add(rs.metadata?.name ?? '');
  const direction = to > from ? 'up' : 'down';
  s.events.push({
    type: 'Normal',
    reason: 'ScalingReplicaSet',
    message: `Scaled ${direction} replica set ${rs.metadata?.name} from ${from} to ${to}`,
  });
  return true;
}
