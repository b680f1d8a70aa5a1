/**
 * A tiny in-memory world for Deployment plan tests: applies a plan to a list
 * of ReplicaSets and plays the ReplicaSet controller (pods appear at once and
 * become available one tick later).
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { type DeploymentPlan, planDeployment } from '../../../../core/controllers/deployment/plan.ts';
import { REVISION_ANNOTATION } from '../../../../core/controllers/deployment/replica-sets.ts';
import { makeDeployment, type Overrides } from '../../../fixtures/objects.ts';

/** A defaulted-looking Deployment `default/web` (uid `d-1`, generation 1) with `overrides` merged in. */
export function deployment(overrides: Overrides = {}): Deployment {
  return makeDeployment({
    metadata: { uid: 'd-1', generation: 1 },
    spec: {
      replicas: 3,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...((overrides.spec as object) ?? {}),
    },
    ...Object.fromEntries(Object.entries(overrides).filter(([k]) => k !== 'spec')),
  }) as Deployment;
}

/** A Deployment with a different container image (a new template) and a bumped generation. */
export function withImage(d: Deployment, image: string): Deployment {
  const next = structuredClone(d);
  next.spec!.template.spec!.containers[0]!.image = image;
  return { ...next, metadata: { ...next.metadata, generation: (next.metadata?.generation ?? 1) + 1 } };
}

/** The world: a Deployment and its ReplicaSets. */
export interface World {
  d: Deployment;
  sets: ReplicaSet[];
  clock: number;
}

/** Applies `plan` as the sync would (creation time = the world clock). */
export function applyPlan(w: World, plan: DeploymentPlan): void {
  const deleted = new Set(plan.delete.map((rs) => rs.metadata?.name));
  w.sets = w.sets.filter((rs) => !deleted.has(rs.metadata?.name));
  for (const rs of plan.update) w.sets = w.sets.map((cur) => (cur.metadata?.name === rs.metadata?.name ? rs : cur));
  if (plan.create) {
    const created = { creationTimestamp: new Date(w.clock).toISOString(), uid: `rs-${w.sets.length}-${w.clock}` };
    w.sets.push({ ...structuredClone(plan.create), metadata: { ...plan.create.metadata, ...created } });
  }
  w.d = structuredClone(w.d);
  w.d.status = plan.status;
  w.d.metadata!.annotations = { ...w.d.metadata?.annotations, [REVISION_ANNOTATION]: plan.revision };
}

/** Plays the ReplicaSet controller: pods follow spec at once; those that existed before become ready and available. */
export function tick(w: World): void {
  w.sets = w.sets.map((rs) => {
    const spec = rs.spec?.replicas ?? 1;
    const had = rs.status?.replicas ?? 0;
    const ready = Math.min(spec, had);
    return { ...rs, status: { replicas: spec, readyReplicas: ready, availableReplicas: ready } };
  });
  w.clock += 1000;
}

/** Plans once at the world clock and applies the plan. */
export function step(w: World): DeploymentPlan {
  const plan = planDeployment({ deployment: w.d, replicaSets: w.sets, now: new Date(w.clock) });
  applyPlan(w, plan);
  return plan;
}

/** Steps and ticks until the plan asks for nothing and the status is stable; `check` runs after every step. */
export function converge(w: World, check: (w: World) => void = () => {}, max = 50): number {
  for (let i = 0; i < max; i++) {
    const before = JSON.stringify(w);
    const plan = step(w);
    check(w);
    tick(w);
    const idle = !plan.create && !plan.update.length && !plan.delete.length;
    if (idle && JSON.stringify({ ...w, clock: 0 }) === JSON.stringify({ ...JSON.parse(before), clock: 0 })) return i;
  }
  throw new Error('did not converge');
}
