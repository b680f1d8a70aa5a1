/**
 * Scheduler configuration: which plugins run, in what order, with which score
 * weights (kube-scheduler 1.32's defaults), and how many nodes to sample.
 * {@link buildProfile} resolves it against the registry once at start-up.
 */
import type { AnyPlugin, FilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from './framework.ts';
import { REGISTRY } from './plugins/registry.ts';

/** One enabled plugin; `weight` scales its normalized score (default 1). */
export interface PluginSetting {
  readonly name: string;
  readonly weight?: number;
}

/** The scheduler's configuration, in the spirit of `KubeSchedulerConfiguration`'s profile. */
export interface SchedulerConfiguration {
  /** Enabled plugins; filters run in this order and a node fails at the first rejecting one. */
  readonly plugins: readonly PluginSetting[];
  /** Share of nodes to find feasible before scoring, 1..100; 0 or absent means adaptive. */
  readonly percentageOfNodesToScore?: number;
}

/**
 * kube-scheduler's default plugin set and weights, minus volume, inter-pod
 * affinity and image plugins skube does not have; NodeReady is skube's
 * (see its file), and NodeResourcesFit's LeastAllocated score is its own
 * plugin. SelectorSpread is registered but, as since Kubernetes 1.27, off:
 * PodTopologySpread's system defaults spread workloads instead.
 */
export const DEFAULT_CONFIGURATION: SchedulerConfiguration = {
  plugins: [
    { name: 'NodeUnschedulable' },
    { name: 'NodeName' },
    { name: 'NodeReady' },
    { name: 'TaintToleration', weight: 3 },
    { name: 'NodeAffinity', weight: 2 },
    { name: 'NodePorts' },
    { name: 'NodeResourcesFit' },
    { name: 'NodeResourcesLeastAllocated', weight: 1 },
    { name: 'PodTopologySpread', weight: 2 },
    { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  ],
};

/** A configuration resolved to plugin objects, plus the sampling cursor that persists across cycles. */
export interface SchedulerProfile {
  readonly preFilters: readonly PreFilterPlugin[];
  readonly filters: readonly FilterPlugin[];
  readonly preScores: readonly PreScorePlugin[];
  readonly scores: readonly { readonly plugin: ScorePlugin; readonly weight: number }[];
  readonly percentageOfNodesToScore: number;
  /** Where the next cycle starts looking, so successive pods do not all sample the same nodes. */
  readonly sampling: { nextStartNodeIndex: number };
}

/**
 * Resolves a configuration against a plugin registry. Throws an Error naming
 * the problem for an unknown or duplicate plugin, a weight that is not a
 * positive integer, or a percentage outside 0..100.
 */
export function buildProfile(
  config: SchedulerConfiguration = DEFAULT_CONFIGURATION,
  registry: ReadonlyMap<string, AnyPlugin> = REGISTRY,
): SchedulerProfile {
  const percentage = config.percentageOfNodesToScore ?? 0;
  if (!Number.isInteger(percentage) || percentage < 0 || percentage > 100) {
    throw new Error(`percentageOfNodesToScore must be an integer in 0..100, got ${percentage}`);
  }
  const seen = new Set<string>();
  const profile = {
    preFilters: [] as PreFilterPlugin[],
    filters: [] as FilterPlugin[],
    preScores: [] as PreScorePlugin[],
    scores: [] as { plugin: ScorePlugin; weight: number }[],
    percentageOfNodesToScore: percentage,
    sampling: { nextStartNodeIndex: 0 },
  };
  for (const { name, weight = 1 } of config.plugins) {
    const plugin = registry.get(name);
    if (!plugin) throw new Error(`unknown scheduler plugin ${JSON.stringify(name)}`);
    if (seen.has(name)) throw new Error(`scheduler plugin ${JSON.stringify(name)} is enabled twice`);
    if (!Number.isInteger(weight) || weight < 1) throw new Error(`weight of ${name} must be a positive integer`);
    seen.add(name);
    if (plugin.preFilter) profile.preFilters.push(plugin as PreFilterPlugin);
    if (plugin.filter) profile.filters.push(plugin as FilterPlugin);
    if (plugin.preScore) profile.preScores.push(plugin as PreScorePlugin);
    if (plugin.score) profile.scores.push({ plugin: plugin as ScorePlugin, weight });
  }
  return profile;
}

/** Below this many nodes every node is checked (`minFeasibleNodesToFind`). */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** The adaptive percentage never drops below this (`minFeasibleNodesPercentageToFind`). */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/**
 * How many feasible nodes to find before scoring, as kube-scheduler: all of
 * them under 100 nodes; else `percentage` of them (adaptive when 0:
 * 50% - nodes/125, at least 5%), and never fewer than 100.
 */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  const p =
    percentage === 0 ? Math.max(50 - Math.trunc(numAllNodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) : percentage;
  return Math.max(Math.trunc((numAllNodes * p) / 100), MIN_FEASIBLE_NODES_TO_FIND);
}
