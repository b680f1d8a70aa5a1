import { describe, expect, it } from 'vitest';
import { buildProfile, DEFAULT_CONFIGURATION, numFeasibleNodesToFind } from '../../../core/scheduler/config.ts';
import { REGISTRY } from '../../../core/scheduler/plugins/registry.ts';

describe('numFeasibleNodesToFind', () => {
  it.each([
    [0, 0, 0],
    [0, 50, 50],
    [0, 99, 99],
    [0, 100, 100],
    [0, 250, 120], // 50 - 2 = 48%
    [0, 1000, 420], // 50 - 8 = 42%
    [0, 5000, 500], // 50 - 40 = 10%
    [0, 6000, 300], // 50 - 48 = 2% → floor of 5%
    [0, 20_000, 1000],
    [10, 500, 100], // 50 nodes is below the floor of 100
    [30, 1000, 300],
    [100, 1000, 1000],
  ])('finds %d%% of %d nodes as %d', (percentage, nodes, want) => {
    expect(numFeasibleNodesToFind(percentage, nodes)).toBe(want);
  });
});

describe('buildProfile', () => {
  it('resolves the defaults with kube-scheduler weights, filters in configured order', () => {
    const profile = buildProfile();
    expect(profile.filters.map((p) => p.name)).toEqual([
      'NodeUnschedulable',
      'NodeName',
      'NodeReady',
      'TaintToleration',
      'NodeAffinity',
      'NodePorts',
      'NodeResourcesFit',
      'PodTopologySpread',
    ]);
    expect(Object.fromEntries(profile.scores.map((s) => [s.plugin.name, s.weight]))).toEqual({
      TaintToleration: 3,
      NodeAffinity: 2,
      NodeResourcesLeastAllocated: 1,
      PodTopologySpread: 2,
      NodeResourcesBalancedAllocation: 1,
    });
    expect(profile.percentageOfNodesToScore).toBe(0);
    expect(profile.sampling.nextStartNodeIndex).toBe(0);
  });

  it('registers every plugin named in the defaults, and SelectorSpread besides', () => {
    for (const { name } of DEFAULT_CONFIGURATION.plugins) expect(REGISTRY.has(name), name).toBe(true);
    expect(REGISTRY.has('SelectorSpread')).toBe(true);
  });

  it.each([
    [{ plugins: [{ name: 'Nope' }] }, 'unknown scheduler plugin "Nope"'],
    [{ plugins: [{ name: 'NodeName' }, { name: 'NodeName' }] }, 'enabled twice'],
    [{ plugins: [{ name: 'TaintToleration', weight: 0 }] }, 'positive integer'],
    [{ plugins: [], percentageOfNodesToScore: 101 }, '0..100'],
  ])('rejects %j', (config, message) => {
    expect(() => buildProfile(config)).toThrow(message);
  });
});
