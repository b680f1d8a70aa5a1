import { describe, expect, it } from 'vitest';
import { createSchedulerCache } from '../../../../core/scheduler/cache.ts';
import { CycleState } from '../../../../core/scheduler/framework.ts';
import { newNodeInfo } from '../../../../core/scheduler/node-info.ts';
import {
  balancedScore,
  nodeResourcesBalancedAllocation,
} from '../../../../core/scheduler/plugins/node-resources-balanced-allocation.ts';
import {
  leastRequestedScore,
  nodeResourcesLeastAllocated,
} from '../../../../core/scheduler/plugins/node-resources-least-allocated.ts';
import { makeNode, makePod } from '../../../fixtures/scheduler.ts';

describe('NodeResourcesLeastAllocated', () => {
  it.each([
    [0, 4000, 100],
    [1000, 4000, 75],
    [3000, 4000, 25],
    [4000, 4000, 0],
    [5000, 4000, 0],
    [1, 3, 66],
    [10, 0, 0],
  ])('scores requested %d of %d as %d', (requested, capacity, want) => {
    expect(leastRequestedScore(requested, capacity)).toBe(want);
  });

  it('averages cpu and memory with default requests for request-less containers', () => {
    const node = makeNode({ name: 'n1', cpu: '4', memory: '4Gi' });
    const existing = [
      makePod({ name: 'a', nodeName: 'n1', cpu: '1', memory: '1Gi' }),
      makePod({ name: 'b', nodeName: 'n1' }),
    ];
    const pod = makePod({ name: 'p', cpu: '1' });
    // cpu: 1000 + 100 + 1000 of 4000 → 47; memory: 1Gi + 200Mi + 200Mi of 4Gi → 65
    expect(nodeResourcesLeastAllocated.score(pod, newNodeInfo(node, existing), new CycleState())).toBe(
      Math.trunc((47 + 65) / 2),
    );
  });
});

describe('NodeResourcesBalancedAllocation', () => {
  it.each<[number[], number[], number]>([
    [[1000, 2 ** 30], [4000, 4 * 2 ** 30], 100],
    [[2000, 2 ** 30], [4000, 4 * 2 ** 30], 87],
    [[4000, 0], [4000, 4 * 2 ** 30], 50],
    [[8000, 0], [4000, 4 * 2 ** 30], 50],
    [[1000, 1], [0, 4], 100],
    [[1, 2, 3], [10, 10, 10], 91],
  ])('scores %j of %j as %d', (requested, allocatable, want) => {
    expect(balancedScore(requested, allocatable)).toBe(want);
  });

  it('scores actual requests including the pod', () => {
    const node = makeNode({ name: 'n1', cpu: '4', memory: '4Gi' });
    const info = newNodeInfo(node, [makePod({ name: 'a', nodeName: 'n1', cpu: '1' })]);
    const pod = makePod({ name: 'p', cpu: '1', memory: '1Gi' });
    expect(nodeResourcesBalancedAllocation.score(pod, info, new CycleState())).toBe(87);
  });

  it('skips pods that request neither cpu nor memory', () => {
    const snapshot = createSchedulerCache().snapshot();
    expect(nodeResourcesBalancedAllocation.preScore(makePod({ name: 'p' }), new CycleState(), [], snapshot).code).toBe(
      'Skip',
    );
    expect(
      nodeResourcesBalancedAllocation.preScore(makePod({ name: 'p', cpu: '1m' }), new CycleState(), [], snapshot).code,
    ).toBe('Success');
  });
});
