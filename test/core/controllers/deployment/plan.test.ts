import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { describe, expect, it } from 'vitest';
import { POD_TEMPLATE_HASH_LABEL, podTemplateHash } from '../../../../core/controllers/deployment/hash.ts';
import { planDeployment } from '../../../../core/controllers/deployment/plan.ts';
import { REVISION_ANNOTATION, rollingBudget } from '../../../../core/controllers/deployment/replica-sets.ts';
import { converge, deployment, step, tick, type World, withImage } from './simulate.ts';

const total = (w: World) => w.sets.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
const available = (w: World) =>
  w.sets.reduce((n, rs) => n + Math.min(rs.spec?.replicas ?? 0, rs.status?.availableReplicas ?? 0), 0);
const rev = (rs: ReplicaSet) => rs.metadata?.annotations?.[REVISION_ANNOTATION];
const cond = (w: World, type: string) => w.d.status?.conditions?.find((c) => c.type === type);

function settled(overrides = {}): World {
  const w: World = { d: deployment(overrides), sets: [], clock: Date.parse('2025-01-01T00:00:00Z') };
  converge(w);
  return w;
}

describe('rollingBudget', () => {
  it.each([
    [10, '25%', '25%', 3, 2],
    [3, '25%', '25%', 1, 0],
    [4, 0, 0, 0, 1],
    [5, '0%', '0%', 0, 1],
    [5, 2, '50%', 2, 2],
    [1, '10%', 0, 1, 0],
  ])('resolves replicas %d, surge %s, unavailable %s to %d/%d', (replicas, maxSurge, maxUnavailable, s, u) => {
    const d = deployment({
      spec: { replicas, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } } },
    });
    expect(rollingBudget(d)).toEqual({ maxSurge: s, maxUnavailable: u });
  });
});

describe('planDeployment', () => {
  it('creates the first ReplicaSet with the hash on name, selector, labels and template, revision 1', () => {
    const d = deployment();
    const plan = planDeployment({ deployment: d, replicaSets: [], now: new Date() });
    const hash = podTemplateHash(d.spec?.template);
    expect(hash).toMatch(/^[a-z0-9]{6,10}$/);
    expect(plan.create?.metadata?.name).toBe(`web-${hash}`);
    expect(plan.create?.spec?.selector.matchLabels?.[POD_TEMPLATE_HASH_LABEL]).toBe(hash);
    expect(plan.create?.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL]).toBe(hash);
    expect(plan.create?.spec?.template?.metadata?.labels).toEqual({ app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash });
    expect(plan.create?.spec?.replicas).toBe(3);
    expect(plan.create?.metadata?.ownerReferences?.[0]).toMatchObject({
      kind: 'Deployment',
      uid: 'd-1',
      controller: true,
    });
    expect(rev(plan.create!)).toBe('1');
    expect(plan.revision).toBe('1');
    expect(plan.events).toEqual([
      { type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set web-${hash} from 0 to 3` },
    ]);
    expect(plan.status.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetCreated');
  });

  it('reports a settled Deployment complete and available, and then asks for nothing', () => {
    const w = settled();
    expect(w.d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(w.d.status?.unavailableReplicas).toBe(0);
    expect(cond(w, 'Available')).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(cond(w, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    const again = planDeployment({ deployment: w.d, replicaSets: w.sets, now: new Date(w.clock + 5000) });
    expect(again).toMatchObject({ update: [], delete: [], events: [], status: w.d.status });
    expect(again.create).toBeUndefined();
  });

  it.each([
    [10, 2, 1],
    [10, '25%', '25%'],
    [4, 0, 1],
    [5, 1, 0],
    [3, '50%', '50%'],
  ])(
    'rolls %d replicas (surge %s, unavailable %s) within the budget at every step',
    (replicas, maxSurge, maxUnavailable) => {
      const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge, maxUnavailable } };
      const w = settled({ spec: { replicas, strategy } });
      const { maxSurge: s, maxUnavailable: u } = rollingBudget(w.d);
      w.d = withImage(w.d, 'nginx:2');
      const steps = converge(w, (cur) => {
        expect(total(cur)).toBeLessThanOrEqual(replicas + s);
        expect(available(cur)).toBeGreaterThanOrEqual(replicas - u);
      });
      expect(steps).toBeGreaterThan(1);
      expect(w.sets.map((rs) => rs.spec?.replicas).sort()).toEqual([0, replicas]);
      expect(w.d.status).toMatchObject({ updatedReplicas: replicas, availableReplicas: replicas, replicas });
      expect(w.d.metadata?.annotations?.[REVISION_ANNOTATION]).toBe('2');
    },
  );

  it('scales every old ReplicaSet to 0 and waits for its pods before creating the new one under Recreate', () => {
    const w = settled({ spec: { strategy: { type: 'Recreate' } } });
    w.d = withImage(w.d, 'nginx:2');
    const first = step(w);
    expect(first.create).toBeUndefined();
    expect(first.update.map((rs) => rs.spec?.replicas)).toEqual([0]);
    expect(step(w).create).toBeUndefined(); // old pods still counted in status
    tick(w);
    const third = step(w);
    expect(third.create?.spec?.replicas).toBe(3);
    converge(w, (cur) => expect(cur.sets.filter((rs) => (rs.status?.replicas ?? 0) > 0).length).toBeLessThanOrEqual(1));
    expect(w.d.status).toMatchObject({ updatedReplicas: 3, availableReplicas: 3 });
  });

  it('reuses the old ReplicaSet and gives it the next revision when the template comes back', () => {
    const w = settled();
    const original = w.d.spec!.template;
    const firstName = w.sets[0]!.metadata?.name;
    w.d = withImage(w.d, 'nginx:2');
    converge(w);
    w.d = { ...withImage(w.d, 'ignored'), spec: { ...w.d.spec!, template: structuredClone(original) } };
    converge(w);
    expect(w.sets).toHaveLength(2);
    const active = w.sets.find((rs) => rs.spec?.replicas === 3)!;
    expect(active.metadata?.name).toBe(firstName);
    expect(rev(active)).toBe('3');
    expect(w.d.metadata?.annotations?.[REVISION_ANNOTATION]).toBe('3');
  });

  it('treats a template with a null creationTimestamp (as rollout undo sends it) as the same template', () => {
    const w = settled();
    const template = structuredClone(w.d.spec!.template);
    template.metadata = { ...template.metadata, creationTimestamp: null as never };
    const plan = planDeployment({
      deployment: { ...w.d, spec: { ...w.d.spec!, template } },
      replicaSets: w.sets,
      now: new Date(),
    });
    expect(plan.create).toBeUndefined();
    expect(plan.update).toEqual([]);
  });

  it('passes a changed minReadySeconds on to the current ReplicaSet only', () => {
    const w = settled();
    w.d = withImage(w.d, 'nginx:2');
    converge(w);
    const plan = planDeployment({
      deployment: { ...w.d, spec: { ...w.d.spec!, minReadySeconds: 5 } },
      replicaSets: w.sets,
      now: new Date(w.clock),
    });
    expect(plan.update.map((rs) => [rev(rs), rs.spec?.minReadySeconds])).toEqual([['2', 5]]);
  });

  it('deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit', () => {
    const w = settled({ spec: { revisionHistoryLimit: 1 } });
    for (const image of ['nginx:2', 'nginx:3', 'nginx:4']) {
      w.d = withImage(w.d, image);
      converge(w);
    }
    expect(w.sets.map(rev).sort()).toEqual(['3', '4']);
    expect(w.sets.find((rs) => rev(rs) === '4')?.spec?.replicas).toBe(3);
  });

  it('makes no rollout progress while paused but follows a scale', () => {
    const w = settled();
    w.d = withImage(w.d, 'nginx:2');
    w.d.spec!.paused = true;
    w.d.spec!.replicas = 5;
    converge(w);
    expect(w.sets).toHaveLength(1);
    expect(w.sets[0]?.spec?.replicas).toBe(5);
    expect(cond(w, 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused' });
    w.d = { ...w.d, spec: { ...w.d.spec!, paused: false } };
    converge(w);
    expect(w.sets).toHaveLength(2);
    expect(cond(w, 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
  });

  it('marks Progressing False with ProgressDeadlineExceeded once no progress is made for the deadline', () => {
    const w = settled({ spec: { progressDeadlineSeconds: 30 } });
    w.d = withImage(w.d, 'nginx:2');
    const first = step(w);
    expect(first.requeueAfterMs).toBe(31_000);
    // The new pods never become available: no ticks, only time passes.
    w.clock += 10_000;
    expect(step(w).requeueAfterMs).toBe(21_000);
    expect(cond(w, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetCreated' });
    w.clock += 21_000;
    const late = step(w);
    expect(cond(w, 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
    expect(late.requeueAfterMs).toBeUndefined();
    tick(w);
    tick(w);
    converge(w);
    expect(cond(w, 'Progressing')).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
  });

  it('scales the only ReplicaSet when spec.replicas changes', () => {
    const w = settled();
    w.d = { ...w.d, spec: { ...w.d.spec!, replicas: 1 } };
    const plan = step(w);
    expect(plan.update.map((rs) => rs.spec?.replicas)).toEqual([1]);
    expect(plan.update[0]?.metadata?.annotations).toMatchObject({
      'deployment.kubernetes.io/desired-replicas': '1',
      'deployment.kubernetes.io/max-replicas': '2',
    });
    expect(plan.events[0]?.message).toMatch(/^Scaled down replica set web-\w+ from 3 to 1$/);
  });
});
