/** Every built-in plugin by name; configuration refers to plugins through this map. */
import type { AnyPlugin } from '../framework.ts';
import { nodeAffinity } from './node-affinity.ts';
import { nodeName } from './node-name.ts';
import { nodePorts } from './node-ports.ts';
import { nodeReady } from './node-ready.ts';
import { nodeResourcesBalancedAllocation } from './node-resources-balanced-allocation.ts';
import { nodeResourcesFit } from './node-resources-fit.ts';
import { nodeResourcesLeastAllocated } from './node-resources-least-allocated.ts';
import { nodeUnschedulable } from './node-unschedulable.ts';
import { podTopologySpread } from './pod-topology-spread.ts';
import { selectorSpread } from './selector-spread.ts';
import { taintToleration } from './taint-toleration.ts';

/** The built-in plugins, keyed by their `NAME`. */
export const REGISTRY: ReadonlyMap<string, AnyPlugin> = new Map<string, AnyPlugin>(
  [
    nodeUnschedulable,
    nodeName,
    nodeReady,
    taintToleration,
    nodeAffinity,
    nodePorts,
    nodeResourcesFit,
    nodeResourcesLeastAllocated,
    nodeResourcesBalancedAllocation,
    podTopologySpread,
    selectorSpread,
  ].map((p) => [p.name, p]),
);
