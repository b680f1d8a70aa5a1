/**
 * NodeAffinity: the pod's `nodeSelector` and required node affinity as a
 * filter, its preferred node affinity as a score (sum of matching weights,
 * normalized). PreFilter narrows the candidates to named nodes when every
 * required term pins `metadata.name` (how DaemonSet pods target their node).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  SKIP,
  SUCCESS,
  unresolvable,
} from '../framework.ts';
import { defaultNormalizeScore } from '../normalize.ts';
import {
  preferredNodeAffinity,
  type RequiredNodeAffinity,
  requiredNodeAffinity,
  type WeightedTerm,
} from '../selectors.ts';

/** Plugin name. */
export const NAME = 'NodeAffinity';
/** Filter reason when the node fails the pod's nodeSelector or required affinity. */
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
/** PreFilter reason when the required terms pin disjoint node names. */
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

function required(pod: Pod, state: CycleState): RequiredNodeAffinity {
  let affinity = state.read<RequiredNodeAffinity>(PRE_FILTER_KEY);
  if (!affinity) {
    affinity = requiredNodeAffinity(pod);
    state.write(PRE_FILTER_KEY, affinity);
  }
  return affinity;
}

/**
 * Node names the pod can only land on, when every required term has a
 * `metadata.name In` requirement; undefined when any node may do.
 */
function pinnedNodeNames(pod: Pod): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return undefined;
  const union = new Set<string>();
  for (const t of terms) {
    let names: Set<string> | undefined;
    for (const f of t.matchFields ?? []) {
      if (f.key !== 'metadata.name' || f.operator !== 'In') continue;
      const values = new Set(f.values ?? []);
      names = names ? new Set([...names].filter((n) => values.has(n))) : values;
    }
    // Terms are ORed: one term without a name pin lets every node through.
    if (!names) return undefined;
    for (const n of names) union.add(n);
  }
  return union;
}

/** The NodeAffinity plugin. */
export const nodeAffinity = {
  name: NAME,
  preFilter(pod, state, _snapshot) {
    const affinity = required(pod, state);
    if (affinity.matchesAll) return { status: SKIP };
    const names = pinnedNodeNames(pod);
    if (names && names.size === 0) return { status: unresolvable(ERR_REASON_CONFLICT) };
    return { status: SUCCESS, nodeNames: names };
  },
  filter(pod, nodeInfo, state) {
    return required(pod, state).matches(nodeInfo.labels, nodeInfo.name) ? SUCCESS : unresolvable(ERR_REASON_POD);
  },
  preScore(pod, state, _nodes, _snapshot) {
    const terms = preferredNodeAffinity(pod);
    if (terms.length === 0) return SKIP;
    state.write(PRE_SCORE_KEY, terms);
    return SUCCESS;
  },
  score(pod, nodeInfo, state) {
    const terms = state.read<WeightedTerm[]>(PRE_SCORE_KEY) ?? preferredNodeAffinity(pod);
    let total = 0;
    for (const t of terms) if (t.matches(nodeInfo.labels, nodeInfo.name)) total += t.weight;
    return total;
  },
  normalize(scores, _nodes, _state) {
    defaultNormalizeScore(scores, false);
  },
} satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
