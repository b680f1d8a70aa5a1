/**
 * A Deployment's status from its ReplicaSets: replica counts, and the
 * Available and Progressing conditions with Kubernetes' reasons, including
 * the progress deadline.
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { rfc3339 } from '../../api/time.ts';
import { rollingBudget, specReplicas, sumStatus } from './replica-sets.ts';

/** Progressing reasons, as Kubernetes names them. */
export const REASON = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  deadlineExceeded: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minAvailable: 'MinimumReplicasAvailable',
  minUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** What the status computation needs beyond the Deployment. */
export interface StatusInput {
  deployment: Deployment;
  newRS?: ReplicaSet;
  all: ReplicaSet[];
  /** Whether this pass creates the new ReplicaSet. */
  created: boolean;
  now: Date;
}

/** A computed status and, while a rollout is under way, when the deadline check is due. */
export interface StatusResult {
  status: DeploymentStatus;
  complete: boolean;
  requeueAfterMs?: number;
}

function setCondition(conds: DeploymentCondition[], next: DeploymentCondition, refresh: boolean): void {
  const at = conds.findIndex((c) => c.type === next.type);
  const prev = at >= 0 ? conds[at] : undefined;
  if (prev && prev.status === next.status && prev.reason === next.reason && !refresh) return;
  if (prev && prev.status === next.status) next.lastTransitionTime = prev.lastTransitionTime;
  if (at >= 0) conds[at] = next;
  else conds.push(next);
}

function counts(input: StatusInput): DeploymentStatus {
  const d = input.deployment;
  const available = sumStatus(input.all, 'availableReplicas');
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 1,
    replicas: sumStatus(input.all, 'replicas'),
    updatedReplicas: input.newRS?.status?.replicas ?? 0,
    readyReplicas: sumStatus(input.all, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(d) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  return status;
}

/** Whether `next` shows progress against the last recorded status. */
function progressed(prev: DeploymentStatus | undefined, next: DeploymentStatus, oldReplicas: number): boolean {
  const p = prev ?? {};
  const prevOld = (p.replicas ?? 0) - (p.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (p.updatedReplicas ?? 0) ||
    oldReplicas < prevOld ||
    (next.readyReplicas ?? 0) > (p.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (p.availableReplicas ?? 0)
  );
}

/**
 * Computes the Deployment's status. Pure; conditions keep their times while
 * their status and reason are unchanged, so recomputing an unchanged level
 * yields an identical status.
 */
export function computeStatus(input: StatusInput): StatusResult {
  const d = input.deployment;
  const now = rfc3339(input.now);
  const replicas = specReplicas(d);
  const status = counts(input);
  const conds = structuredClone(d.status?.conditions ?? []);
  const cond = (type: string, s: string, reason: string, message: string): DeploymentCondition => ({
    type,
    status: s,
    reason,
    message,
    lastUpdateTime: now,
    lastTransitionTime: now,
  });
  const minAvailable = replicas - rollingBudget(d).maxUnavailable;
  if ((status.availableReplicas ?? 0) >= minAvailable) {
    setCondition(conds, cond('Available', 'True', REASON.minAvailable, 'Deployment has minimum availability.'), false);
  } else {
    setCondition(
      conds,
      cond('Available', 'False', REASON.minUnavailable, 'Deployment does not have minimum availability.'),
      false,
    );
  }
  const complete =
    status.updatedReplicas === replicas && status.replicas === replicas && (status.availableReplicas ?? 0) >= replicas;
  const deadline = d.spec?.progressDeadlineSeconds;
  const name = input.newRS?.metadata?.name ?? '';
  const prev = conds.find((c) => c.type === 'Progressing');
  let requeueAfterMs: number | undefined;
  const oldReplicas = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  if (d.spec?.paused) {
    setCondition(conds, cond('Progressing', 'Unknown', REASON.paused, 'Deployment is paused'), false);
  } else if (prev?.reason === REASON.paused) {
    setCondition(conds, cond('Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed'), false);
  } else if (deadline !== undefined && deadline < 2147483647) {
    if (complete && input.newRS) {
      const msg = `ReplicaSet "${name}" has successfully progressed.`;
      setCondition(conds, cond('Progressing', 'True', REASON.newRSAvailable, msg), false);
    } else if (input.created) {
      const msg = `Created new replica set "${name}"`;
      setCondition(conds, cond('Progressing', 'True', REASON.newRSCreated, msg), true);
    } else if (input.newRS && progressed(d.status, status, oldReplicas)) {
      setCondition(conds, cond('Progressing', 'True', REASON.rsUpdated, `ReplicaSet "${name}" is progressing.`), true);
    } else if (prev && prev.reason !== REASON.deadlineExceeded && prev.reason !== REASON.newRSAvailable) {
      const since = Date.parse(prev.lastUpdateTime ?? '') || input.now.getTime();
      const left = since + deadline * 1000 - input.now.getTime();
      if (left <= 0) {
        const msg = `ReplicaSet "${name}" has timed out progressing.`;
        setCondition(conds, cond('Progressing', 'False', REASON.deadlineExceeded, msg), false);
      } else requeueAfterMs = left + 1000;
    } else if (!prev && input.newRS) {
      setCondition(conds, cond('Progressing', 'True', REASON.foundNewRS, `Found new replica set "${name}"`), false);
    }
    const p = conds.find((c) => c.type === 'Progressing');
    if (!complete && p?.status === 'True' && requeueAfterMs === undefined) requeueAfterMs = deadline * 1000 + 1000;
  }
  if (conds.length) status.conditions = conds;
  return { status, complete, requeueAfterMs };
}
