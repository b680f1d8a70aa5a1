/** Score normalization shared by score plugins (kube-scheduler's `helper.DefaultNormalizeScore`). */
import { MAX_NODE_SCORE } from './framework.ts';

/**
 * Rescales `scores` in place to 0..`max` proportionally to the highest score
 * (integer division, as Go's int64 arithmetic); with `reverse`, lower raw
 * scores rank higher. All-zero scores stay 0, or become `max` when reversed.
 */
export function defaultNormalizeScore(scores: number[], reverse: boolean, max = MAX_NODE_SCORE): void {
  let highest = 0;
  for (const s of scores) if (s > highest) highest = s;
  if (highest === 0) {
    if (reverse) scores.fill(max);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const s = Math.trunc((max * scores[i]) / highest);
    scores[i] = reverse ? max - s : s;
  }
}
