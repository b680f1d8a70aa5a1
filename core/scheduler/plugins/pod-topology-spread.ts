/**
 * PodTopologySpread: `topologySpreadConstraints`. DoNotSchedule constraints
 * filter out nodes where placing the pod would push its domain more than
 * `maxSkew` above the least-loaded eligible domain (the global minimum, or 0
 * while fewer than `minDomains` domains exist); ScheduleAnyway constraints
 * (and, for pods stating none, the system defaults over the pod's workload)
 * score nodes in emptier domains higher.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  type FilterPlugin,
  MAX_NODE_SCORE,
  type NodeInfo,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  SKIP,
  type Snapshot,
  SUCCESS,
  unresolvable,
  unschedulable,
} from '../framework.ts';
import { requiredNodeAffinity } from '../selectors.ts';
import {
  buildConstraints,
  hasAllTopologyKeys,
  LABEL_HOSTNAME,
  nodeIncluded,
  type SpreadConstraint,
} from '../topology-spread.ts';

/** Plugin name. */
export const NAME = 'PodTopologySpread';
/** Filter reason when placing the pod would exceed a constraint's maxSkew. */
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
/** Filter reason when the node lacks a constraint's topology key. */
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

/** Whether pods without constraints get the system default constraints (kube-scheduler's `defaultingType: System`). */
export const SYSTEM_DEFAULTED = true;

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

interface FilterState {
  readonly constraints: readonly SpreadConstraint[];
  /** Per constraint: domain value → matching pods. */
  readonly counts: readonly Map<string, number>[];
  /** Per constraint: the global minimum used for skew. */
  readonly minMatch: readonly number[];
}

interface ScoreState {
  readonly constraints: readonly SpreadConstraint[];
  readonly ignored: ReadonlySet<string>;
  /** Per constraint: domain value → matching pods (hostname constraints count per node instead). */
  readonly counts: readonly Map<string, number>[];
  /** Per constraint: matching pods by node name. */
  readonly byNode: readonly ReadonlyMap<string, number>[];
  readonly weights: readonly number[];
}

function namespaceOf(pod: Pod): string {
  return pod.metadata?.namespace ?? 'default';
}

function filterState(pod: Pod, snapshot: Snapshot): FilterState {
  const constraints = buildConstraints(pod, 'DoNotSchedule', snapshot.workloads, SYSTEM_DEFAULTED);
  const counts = constraints.map(() => new Map<string, number>());
  if (constraints.length === 0) return { constraints, counts, minMatch: [] };
  const affinity = requiredNodeAffinity(pod);
  // Every eligible domain counts, including those without matching pods…
  for (const nodeInfo of snapshot.nodeInfos) {
    if (!hasAllTopologyKeys(nodeInfo, constraints)) continue;
    for (let i = 0; i < constraints.length; i++) {
      if (!nodeIncluded(constraints[i], pod, nodeInfo, affinity)) continue;
      const value = nodeInfo.labels[constraints[i].topologyKey];
      if (!counts[i].has(value)) counts[i].set(value, 0);
    }
  }
  // …but only nodes holding matching pods need visiting to count them.
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i];
    for (const [nodeName, n] of snapshot.countMatchingPods(namespaceOf(pod), c.selector)) {
      const nodeInfo = snapshot.get(nodeName);
      if (!nodeInfo || !hasAllTopologyKeys(nodeInfo, constraints) || !nodeIncluded(c, pod, nodeInfo, affinity))
        continue;
      const value = nodeInfo.labels[c.topologyKey];
      counts[i].set(value, (counts[i].get(value) ?? 0) + n);
    }
  }
  const minMatch = constraints.map((c, i) => {
    // Too few eligible domains: behave as if an empty one existed.
    if (counts[i].size < c.minDomains) return 0;
    let min = Number.POSITIVE_INFINITY;
    for (const n of counts[i].values()) min = Math.min(min, n);
    return min;
  });
  return { constraints, counts, minMatch };
}

function scoreState(pod: Pod, filtered: readonly NodeInfo[], snapshot: Snapshot): ScoreState | undefined {
  const own = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0;
  const constraints = buildConstraints(pod, 'ScheduleAnyway', snapshot.workloads, SYSTEM_DEFAULTED);
  if (constraints.length === 0) return undefined;
  // System defaults do not require every key, so unzoned nodes still get hostname spreading.
  const requireAll = own || !SYSTEM_DEFAULTED;
  const ignored = new Set<string>();
  // Only labelled domains are ever read back in score; an unlabelled node still counts as the domain ''.
  const counts = constraints.map(() => new Map<string, number>());
  const unlabelled = constraints.map(() => false);
  for (const n of filtered) {
    if (requireAll && !hasAllTopologyKeys(n, constraints)) {
      ignored.add(n.name);
      continue;
    }
    for (let i = 0; i < constraints.length; i++) {
      const key = constraints[i].topologyKey;
      if (key === LABEL_HOSTNAME) continue;
      const value = n.labels[key];
      // Own string properties only: a prototype's members are never strings.
      if (typeof value !== 'string') unlabelled[i] = true;
      else if (!counts[i].has(value)) counts[i].set(value, 0);
    }
  }
  const domainCount = (i: number) => counts[i].size + (unlabelled[i] && !counts[i].has('') ? 1 : 0);
  const weights = constraints.map((c, i) =>
    Math.log((c.topologyKey === LABEL_HOSTNAME ? filtered.length - ignored.size : domainCount(i)) + 2),
  );
  const affinity = requiredNodeAffinity(pod);
  const byNode = constraints.map((c) => snapshot.countMatchingPods(namespaceOf(pod), c.selector));
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i];
    if (c.topologyKey === LABEL_HOSTNAME) continue;
    // When every labelled node is eligible, per-domain totals from the index give the same sums.
    const everyNode =
      !c.honorNodeTaints && (!c.honorNodeAffinity || affinity.matchesAll) && (!requireAll || constraints.length === 1);
    const byDomain = everyNode
      ? snapshot.countMatchingPodsByDomain?.(namespaceOf(pod), c.selector, c.topologyKey)
      : undefined;
    if (byDomain) {
      for (const [value, n] of byDomain) {
        const current = counts[i].get(value);
        if (current !== undefined) counts[i].set(value, current + n);
      }
      continue;
    }
    // Domains of the candidate nodes gather matching pods from every eligible node.
    for (const [nodeName, n] of byNode[i]) {
      const nodeInfo = snapshot.get(nodeName);
      if (!nodeInfo || (requireAll && !hasAllTopologyKeys(nodeInfo, constraints))) continue;
      const value = nodeInfo.labels[c.topologyKey] ?? '';
      const current = counts[i].get(value);
      if (current === undefined || !nodeIncluded(c, pod, nodeInfo, affinity)) continue;
      counts[i].set(value, current + n);
    }
  }
  return { constraints, ignored, counts, byNode, weights };
}

function scoreNode(s: ScoreState, nodeInfo: NodeInfo): number {
  if (s.ignored.size > 0 && s.ignored.has(nodeInfo.name)) return 0;
  let score = 0;
  const labels = nodeInfo.labels;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    const value = labels[c.topologyKey];
    // Only own string properties: a prototype's members are never strings.
    if (typeof value !== 'string') continue;
    const count =
      c.topologyKey === LABEL_HOSTNAME ? (s.byNode[i].get(nodeInfo.name) ?? 0) : (s.counts[i].get(value) ?? 0);
    // maxSkew - 1 waters down differences the constraint tolerates anyway.
    score += count * s.weights[i] + (c.maxSkew - 1);
  }
  return Math.round(score);
}

/** The PodTopologySpread plugin. */
export const podTopologySpread = {
  name: NAME,
  preFilter(pod, state, snapshot) {
    const s = filterState(pod, snapshot);
    if (s.constraints.length === 0) return { status: SKIP };
    state.write(PRE_FILTER_KEY, s);
    return { status: SUCCESS };
  },
  filter(pod, nodeInfo, state) {
    const s = state.read<FilterState>(PRE_FILTER_KEY);
    if (!s) return SUCCESS;
    const podLabels = pod.metadata?.labels ?? {};
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      if (!Object.hasOwn(nodeInfo.labels, c.topologyKey)) return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
      const self = c.selector.matches(podLabels) ? 1 : 0;
      const matching = s.counts[i].get(nodeInfo.labels[c.topologyKey]) ?? 0;
      if (matching + self - s.minMatch[i] > c.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return SUCCESS;
  },
  preScore(pod, state, nodes, snapshot) {
    if (snapshot.nodeInfos.length === 0) return SKIP;
    const s = scoreState(pod, nodes, snapshot);
    if (!s) return SKIP;
    state.write(PRE_SCORE_KEY, s);
    return SUCCESS;
  },
  score(_pod, nodeInfo, state) {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    return s ? scoreNode(s, nodeInfo) : 0;
  },
  scoreNodes(_pod, nodes, state, out) {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    for (let i = 0; i < nodes.length; i++) out[i] = s ? scoreNode(s, nodes[i]) : 0;
  },
  normalize(scores, nodes, state) {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    if (!s) return;
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (let i = 0; i < nodes.length; i++) {
      if (s.ignored.has(nodes[i].name)) continue;
      if (scores[i] < min) min = scores[i];
      if (scores[i] > max) max = scores[i];
    }
    for (let i = 0; i < nodes.length; i++) {
      if (s.ignored.has(nodes[i].name)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
    }
  },
} satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
