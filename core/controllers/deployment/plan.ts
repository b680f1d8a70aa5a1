/**
 * The Deployment controller's plan: from a Deployment, the ReplicaSets it
 * controls (with their status, which carries pod readiness) and the time,
 * what to create, update and delete, and the Deployment's status. Pure and
 * level-based: planning the result of a plan again asks for nothing new.
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { POD_TEMPLATE_HASH_LABEL, podTemplateHash, templatesEqualIgnoringHash } from './hash.ts';
import { recreateStep } from './recreate.ts';
import { ANNOTATIONS_NOT_COPIED, byAge, REVISION_ANNOTATION, revisionOf, specReplicas } from './replica-sets.ts';
import { isScalingEvent, scaleDeployment } from './proportional.ts';
import { newReplicaSetSize, rollingStep } from './rolling.ts';
import { allSets, type PlannedEvent, type PlanState, scaleTo } from './state.ts';
import { computeStatus } from './status.ts';

/** What the plan is computed from. */
export interface DeploymentPlanInput {
  deployment: Deployment;
  /** The ReplicaSets whose controller reference is the Deployment. */
  replicaSets: readonly ReplicaSet[];
  now: Date;
}

/** What the sync should do, in order: create, update, delete, then write annotations and status. */
export interface DeploymentPlan {
  /** A new ReplicaSet to create (full object, without resourceVersion). */
  create?: ReplicaSet;
  /** Existing ReplicaSets to write back (their spec.replicas and/or annotations changed). */
  update: ReplicaSet[];
  /** Old ReplicaSets beyond `revisionHistoryLimit` to delete. */
  delete: ReplicaSet[];
  /** The revision annotation value the Deployment should carry. */
  revision: string;
  status: DeploymentStatus;
  events: PlannedEvent[];
  /** When to look again if nothing else changes (progress deadline). */
  requeueAfterMs?: number;
}

/** The ReplicaSet a Deployment would create for its current template, sized `replicas`. */
export function newReplicaSetFor(d: Deployment, replicas: number, revision: number): ReplicaSet {
  const hash = podTemplateHash(d.spec?.template, d.status?.collisionCount);
  const template = structuredClone(d.spec?.template ?? {});
  template.metadata = {
    ...template.metadata,
    labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash },
  };
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {}))
    if (!ANNOTATIONS_NOT_COPIED.has(k)) annotations[k] = v;
  annotations[REVISION_ANNOTATION] = String(revision);
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata?.name}-${hash}`,
      namespace: d.metadata?.namespace,
      labels: { ...template.metadata.labels },
      annotations,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: d.metadata?.name ?? '',
          uid: d.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds, selector, template },
  };
}

/** Old ReplicaSets to delete so at most `revisionHistoryLimit` scaled-to-zero ones remain. */
function historyToDelete(d: Deployment, old: readonly ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return [];
  const live = old.filter((rs) => !rs.metadata?.deletionTimestamp);
  let excess = live.length - limit;
  const out: ReplicaSet[] = [];
  for (const rs of [...live].sort((a, b) => revisionOf(a) - revisionOf(b))) {
    if (excess <= 0) break;
    if (specReplicas(rs) !== 0 || (rs.status?.replicas ?? 0) !== 0) continue;
    out.push(rs);
    excess--;
  }
  return out;
}

function annotate(rs: ReplicaSet, key: string, value: string): void {
  rs.metadata = { ...rs.metadata, annotations: { ...rs.metadata?.annotations, [key]: value } };
}

/** Plans one reconciliation of a Deployment. Pure; never mutates its input. */
export function planDeployment(input: DeploymentPlanInput): DeploymentPlan {
  const d = input.deployment;
  const sets = byAge(input.replicaSets.map((rs) => structuredClone(rs)));
  const found = sets.find((rs) => templatesEqualIgnoringHash(rs.spec?.template, d.spec?.template));
  const s: PlanState = {
    deployment: d,
    newRS: found,
    oldRSs: sets.filter((rs) => rs !== found),
    created: false,
    changed: new Set(),
    events: [],
  };
  const revision = Math.max(0, ...s.oldRSs.map(revisionOf)) + 1;
  // A template that comes back (rollout undo) makes its old ReplicaSet the newest revision.
  if (s.newRS && revisionOf(s.newRS) < revision) {
    annotate(s.newRS, REVISION_ANNOTATION, String(revision));
    s.changed.add(s.newRS.metadata?.name ?? '');
  }
  // The ReplicaSet controller judges availability, so it must see the Deployment's current minReadySeconds.
  const minReady = d.spec?.minReadySeconds ?? 0;
  if (s.newRS?.spec && (s.newRS.spec.minReadySeconds ?? 0) !== minReady) {
    s.newRS.spec = { ...s.newRS.spec, minReadySeconds: minReady };
    s.changed.add(s.newRS.metadata?.name ?? '');
  }
  const paused = d.spec?.paused === true;
  const recreate = d.spec?.strategy?.type === 'Recreate';
  if (paused) {
    scaleDeployment(s);
  } else if (recreate) {
    if (recreateStep(s) && !s.newRS) {
      s.newRS = newReplicaSetFor(d, 0, revision);
      s.created = true;
      scaleTo(s, s.newRS, specReplicas(d));
    }
  } else {
    if (!s.newRS) {
      s.newRS = newReplicaSetFor(d, 0, revision);
      s.created = true;
      scaleTo(s, s.newRS, newReplicaSetSize(s));
      rollingStep(s);
    } else if (isScalingEvent(s)) {
      // A scale in the middle of a rollout is spread over the sets first; the rollout goes on at the next sync.
      scaleDeployment(s);
    } else {
      rollingStep(s);
    }
  }
  const result = computeStatus({ deployment: d, newRS: s.newRS, all: allSets(s), created: s.created, now: input.now });
  const cleanup = paused || result.complete ? historyToDelete(d, s.oldRSs) : [];
  const newRevision = s.newRS ? revisionOf(s.newRS) : revisionOf(d);
  return {
    create: s.created ? s.newRS : undefined,
    update: s.oldRSs
      .concat(s.newRS && !s.created ? [s.newRS] : [])
      .filter((rs) => s.changed.has(rs.metadata?.name ?? '')),
    delete: cleanup,
    revision: newRevision ? String(newRevision) : '',
    status: result.status,
    events: s.events,
    requeueAfterMs: result.requeueAfterMs,
  };
}
