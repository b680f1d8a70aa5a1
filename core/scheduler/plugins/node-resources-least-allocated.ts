/**
 * NodeResourcesLeastAllocated: prefers nodes with the most free CPU and memory
 * after placing the pod (NodeResourcesFit's default `LeastAllocated` strategy).
 * Uses non-zero requests, so pods without requests still count for something.
 */
import { MAX_NODE_SCORE, type NodeInfo, type PodInfo, type ScorePlugin } from '../framework.ts';
import { cyclePodInfo } from '../node-info.ts';

/** Plugin name. */
export const NAME = 'NodeResourcesLeastAllocated';

/** Weights of the resources scored, as the default `NodeResourcesFitArgs.scoringStrategy.resources`. */
export const RESOURCE_WEIGHTS = { cpu: 1, memory: 1 } as const;

/** `(capacity - requested) * 100 / capacity`, 0 when over capacity or capacity is 0 (integer division). */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** The NodeResourcesLeastAllocated plugin. */
export const nodeResourcesLeastAllocated = {
  name: NAME,
  score(pod, nodeInfo, state) {
    return scoreNode(cyclePodInfo(pod, state).nonZeroRequests, nodeInfo);
  },
  scoreNodes(pod, nodes, state, out) {
    const req = cyclePodInfo(pod, state).nonZeroRequests;
    for (let i = 0; i < nodes.length; i++) out[i] = scoreNode(req, nodes[i]);
  },
} satisfies ScorePlugin;

function scoreNode(req: PodInfo['nonZeroRequests'], nodeInfo: NodeInfo): number {
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.nonZeroRequested;
  let total = 0;
  let weights = 0;
  if (alloc.milliCPU > 0) {
    total += leastRequestedScore(used.milliCPU + req.milliCPU, alloc.milliCPU) * RESOURCE_WEIGHTS.cpu;
    weights += RESOURCE_WEIGHTS.cpu;
  }
  if (alloc.memory > 0) {
    total += leastRequestedScore(used.memory + req.memory, alloc.memory) * RESOURCE_WEIGHTS.memory;
    weights += RESOURCE_WEIGHTS.memory;
  }
  return weights === 0 ? 0 : Math.trunc(total / weights);
}
