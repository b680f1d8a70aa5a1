/**
 * Topology spread constraints compiled for one scheduling cycle, shared by
 * PodTopologySpread's filter (DoNotSchedule) and score (ScheduleAnyway) halves.
 */
import type { Node, Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { defaultSelector } from './default-selector.ts';
import type { NodeInfo, WorkloadLister } from './framework.ts';
import { compileLabelSelector, type LabelMatcher, type RequiredNodeAffinity, setRequirements } from './selectors.ts';
import { findUntoleratedTaint, isDoNotScheduleTaint } from './taints.ts';

/** The node label that makes every node its own domain. */
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';

/** A constraint with its selector compiled and its defaults applied. */
export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: LabelMatcher;
  readonly minDomains: number;
  /** nodeAffinityPolicy Honor (default): only nodes matching the pod's node affinity count. */
  readonly honorNodeAffinity: boolean;
  /** nodeTaintsPolicy Honor (default Ignore): only nodes whose taints the pod tolerates count. */
  readonly honorNodeTaints: boolean;
}

/**
 * kube-scheduler's system default constraints (`defaultingType: System`),
 * applied with the pod's workload selector to pods that state none.
 */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = [
  { topologyKey: 'topology.kubernetes.io/zone', maxSkew: 5, whenUnsatisfiable: 'ScheduleAnyway' },
  { topologyKey: LABEL_HOSTNAME, maxSkew: 3, whenUnsatisfiable: 'ScheduleAnyway' },
];

function compile(c: TopologySpreadConstraint, selector: LabelMatcher): SpreadConstraint {
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector,
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
  };
}

/**
 * The pod's constraints for one `whenUnsatisfiable` action; `matchLabelKeys`
 * narrow the selector to pods sharing those label values. When the pod states
 * no constraints and `systemDefaults` is set, the system defaults with the
 * pod's workload selector (none when no workload selects the pod).
 */
export function buildConstraints(
  pod: Pod,
  action: 'DoNotSchedule' | 'ScheduleAnyway',
  workloads: WorkloadLister,
  systemDefaults: boolean,
): SpreadConstraint[] {
  const own = pod.spec?.topologySpreadConstraints ?? [];
  const podLabels = pod.metadata?.labels ?? {};
  if (own.length > 0) {
    return own
      .filter((c) => c.whenUnsatisfiable === action)
      .map((c) => {
        const keys: Record<string, string> = {};
        for (const k of c.matchLabelKeys ?? []) if (Object.hasOwn(podLabels, k)) keys[k] = podLabels[k];
        return compile(c, compileLabelSelector(c.labelSelector).and(setRequirements(keys)));
      });
  }
  if (!systemDefaults) return [];
  const defaults = SYSTEM_DEFAULT_CONSTRAINTS.filter((c) => c.whenUnsatisfiable === action);
  if (defaults.length === 0) return [];
  const selector = defaultSelector(pod, workloads);
  if (selector.empty) return [];
  return defaults.map((c) => compile(c, selector));
}

/** Whether the node carries every constraint's topology key. */
export function hasAllTopologyKeys(nodeInfo: NodeInfo, constraints: readonly SpreadConstraint[]): boolean {
  for (const c of constraints) if (!Object.hasOwn(nodeInfo.labels, c.topologyKey)) return false;
  return true;
}

/** Whether the node's domain counts for `c` under its node affinity and taint policies. */
export function nodeIncluded(
  c: SpreadConstraint,
  pod: Pod,
  nodeInfo: NodeInfo,
  affinity: RequiredNodeAffinity,
): boolean {
  if (c.honorNodeAffinity && !affinity.matches(nodeInfo.labels, nodeInfo.name)) return false;
  if (c.honorNodeTaints && findUntoleratedTaint(nodeInfo.taints, pod.spec?.tolerations, isDoNotScheduleTaint)) {
    return false;
  }
  return true;
}

/** The zone identity of a node (region and zone, GA labels first, then the beta ones); "" when unzoned. */
export function zoneKey(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}
