/**
 * NodeResourcesBalancedAllocation: prefers nodes whose CPU and memory
 * utilisation stay close to each other after placing the pod (score =
 * (1 - standard deviation of the fractions) * 100). Uses actual requests;
 * skipped for pods that request neither, which would otherwise pile onto one node.
 */
import {
  MAX_NODE_SCORE,
  type NodeInfo,
  type PodInfo,
  type PreScorePlugin,
  type ScorePlugin,
  SKIP,
  SUCCESS,
} from '../framework.ts';
import { cyclePodInfo } from '../node-info.ts';

/** Plugin name. */
export const NAME = 'NodeResourcesBalancedAllocation';

/** The score for requested/allocatable pairs; resources with nothing allocatable are left out. */
export function balancedScore(requested: readonly number[], allocatable: readonly number[]): number {
  const fractions: number[] = [];
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    fractions.push(Math.min(requested[i] / allocatable[i], 1));
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
  else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) ** 2, 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/** The NodeResourcesBalancedAllocation plugin. */
export const nodeResourcesBalancedAllocation = {
  name: NAME,
  preScore(pod, state, _nodes, _snapshot) {
    const req = cyclePodInfo(pod, state).requests;
    return req.milliCPU === 0 && req.memory === 0 ? SKIP : SUCCESS;
  },
  score(pod, nodeInfo, state) {
    return scoreNode(cyclePodInfo(pod, state).requests, nodeInfo);
  },
  scoreNodes(pod, nodes, state, out) {
    const req = cyclePodInfo(pod, state).requests;
    for (let i = 0; i < nodes.length; i++) out[i] = scoreNode(req, nodes[i]);
  },
} satisfies PreScorePlugin & ScorePlugin;

// balancedScore for exactly cpu and memory, without allocating per node.
function scoreNode(req: PodInfo['requests'], nodeInfo: NodeInfo): number {
  const used = nodeInfo.requested;
  const alloc = nodeInfo.allocatable;
  if (alloc.milliCPU === 0 || alloc.memory === 0) return MAX_NODE_SCORE;
  const cpu = Math.min((used.milliCPU + req.milliCPU) / alloc.milliCPU, 1);
  const memory = Math.min((used.memory + req.memory) / alloc.memory, 1);
  return Math.trunc((1 - Math.abs((cpu - memory) / 2)) * MAX_NODE_SCORE);
}
