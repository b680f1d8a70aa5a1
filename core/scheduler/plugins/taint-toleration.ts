/**
 * TaintToleration: filters out nodes with a NoSchedule/NoExecute taint the pod
 * does not tolerate, and prefers nodes with fewer untolerated PreferNoSchedule taints.
 */
import type { Toleration } from 'kubernetes-types/core/v1.js';
import { type FilterPlugin, type PreScorePlugin, type ScorePlugin, SKIP, SUCCESS, unresolvable } from '../framework.ts';
import { defaultNormalizeScore } from '../normalize.ts';
import { findUntoleratedTaint, isDoNotScheduleTaint, tolerationsTolerateTaint } from '../taints.ts';

/** Plugin name. */
export const NAME = 'TaintToleration';
/** Generic reason, used by callers that do not name the taint. */
export const ERR_REASON_NOT_MATCH = "node(s) had taints that the pod didn't tolerate";

/** The filter reason naming the first untolerated taint, e.g. `node(s) had untolerated taint {dedicated: gpu}`. */
export function untoleratedTaintReason(key: string, value: string | undefined): string {
  return `node(s) had untolerated taint {${key}: ${value ?? ''}}`;
}

const STATE_KEY = `PreScore${NAME}`;

// Tolerations that can tolerate PreferNoSchedule: that effect, or every effect.
function preferNoScheduleTolerations(tolerations: readonly Toleration[] | undefined): Toleration[] {
  return (tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
}

/** The TaintToleration plugin. */
export const taintToleration = {
  name: NAME,
  filter(pod, nodeInfo, _state) {
    if (nodeInfo.taints.length === 0) return SUCCESS;
    const taint = findUntoleratedTaint(nodeInfo.taints, pod.spec?.tolerations, isDoNotScheduleTaint);
    return taint ? unresolvable(untoleratedTaintReason(taint.key, taint.value)) : SUCCESS;
  },
  preScore(pod, state, nodes, _snapshot) {
    // Without a PreferNoSchedule taint every node scores alike: skipping changes no ranking.
    if (!nodes.some((n) => n.taints.some((t) => t.effect === 'PreferNoSchedule'))) return SKIP;
    state.write(STATE_KEY, preferNoScheduleTolerations(pod.spec?.tolerations));
    return SUCCESS;
  },
  score(pod, nodeInfo, state) {
    const tolerations = state.read<Toleration[]>(STATE_KEY) ?? preferNoScheduleTolerations(pod.spec?.tolerations);
    let intolerable = 0;
    for (const taint of nodeInfo.taints) {
      if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint)) intolerable++;
    }
    return intolerable;
  },
  normalize(scores, _nodes, _state) {
    defaultNormalizeScore(scores, true);
  },
} satisfies FilterPlugin & PreScorePlugin & ScorePlugin;
