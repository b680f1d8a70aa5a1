import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { describe, expect, it } from 'vitest';
import { REVISION_ANNOTATION } from '../../../../core/controllers/deployment/replica-sets.ts';
import { converge, deployment, step, type World, withImage } from './simulate.ts';

const sizes = (w: World) =>
  Object.fromEntries(
    w.sets.map((rs: ReplicaSet) => [rs.metadata?.annotations?.[REVISION_ANNOTATION], rs.spec?.replicas]),
  );

/** A rollout of 10 replicas (25% surge / 25% unavailable) stopped half way: 8 old, 5 new, no new pod available. */
function midRollout(): World {
  const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  const w: World = {
    d: deployment({ spec: { replicas: 10, strategy } }),
    sets: [],
    clock: Date.parse('2025-01-01T00:00:00Z'),
  };
  converge(w);
  w.d = withImage(w.d, 'nginx:2');
  for (let i = 0; i < 3; i++) step(w);
  expect(sizes(w)).toEqual({ '1': 8, '2': 5 });
  return w;
}

const scale = (w: World, replicas: number) => {
  w.d = { ...w.d, spec: { ...w.d.spec!, replicas } };
};

describe('proportional scaling of a Deployment in the middle of a rollout', () => {
  it.each([
    // replicas, old, new: Kubernetes' own worked example scales 8/5 of 13 to 12/7 of 19 (15 + 4 surge).
    [15, 12, 7],
    [5, 4, 3],
    [20, 15, 10],
    [0, 0, 0],
  ])('spreads a scale to %d over both ReplicaSets (%d old, %d new)', (replicas, old, fresh) => {
    const w = midRollout();
    scale(w, replicas);
    const plan = step(w);
    expect(sizes(w)).toEqual({ '1': old, '2': fresh });
    for (const rs of plan.update) {
      expect(rs.metadata?.annotations?.['deployment.kubernetes.io/desired-replicas']).toBe(String(replicas));
    }
    expect(plan.events.every((e) => e.reason === 'ScalingReplicaSet')).toBe(true);
  });

  it('gives a one-replica change to the largest ReplicaSet and then finishes the rollout at the new size', () => {
    const w = midRollout();
    scale(w, 11);
    step(w);
    // 11 + 3 surge = 14 of 13: +1, the larger (old) set's share.
    expect(sizes(w)).toEqual({ '1': 9, '2': 5 });
    converge(w);
    expect(sizes(w)).toEqual({ '1': 0, '2': 11 });
  });

  it('scales nothing proportionally when only one ReplicaSet is active', () => {
    const w: World = { d: deployment({ spec: { replicas: 4 } }), sets: [], clock: Date.parse('2025-01-01T00:00:00Z') };
    converge(w);
    scale(w, 7);
    step(w);
    expect(sizes(w)).toEqual({ '1': 7 });
  });
});
