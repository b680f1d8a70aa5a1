/**
 * Node health as the node lifecycle controller judges it: when the node last
 * showed life (its Lease's `renewTime`, the Ready condition's
 * `lastHeartbeatTime`, or its creation), the conditions to post once that is
 * older than the grace period (Unknown, `NodeStatusUnknown`), and the taints
 * the node's conditions call for (`TaintNodesByCondition` and the NoExecute
 * taints of not-ready and unreachable nodes). Pure.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../api/time.ts';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, TAINT_NODE_UNSCHEDULABLE } from '../../scheduler/taints.ts';

/** Kubernetes' `--node-monitor-grace-period` default. */
export const DEFAULT_NODE_MONITOR_GRACE_PERIOD_MS = 40_000;

/** The reason and message of conditions the controller sets Unknown. */
export const NODE_STATUS_UNKNOWN = 'NodeStatusUnknown';
export const NODE_STATUS_UNKNOWN_MESSAGE = 'Kubelet stopped posting node status.';
const NEVER_UPDATED = 'NodeStatusNeverUpdated';
const NEVER_UPDATED_MESSAGE = 'Kubelet never posted node status.';

/** The kubelet-owned conditions that go Unknown with Ready. */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** NoSchedule taints for conditions (`TaintNodesByCondition`), by condition type and status. */
const CONDITION_TAINTS: { type: string; status: string; key: string }[] = [
  { type: 'Ready', status: 'False', key: TAINT_NODE_NOT_READY },
  { type: 'Ready', status: 'Unknown', key: TAINT_NODE_UNREACHABLE },
  { type: 'MemoryPressure', status: 'True', key: 'node.kubernetes.io/memory-pressure' },
  { type: 'DiskPressure', status: 'True', key: 'node.kubernetes.io/disk-pressure' },
  { type: 'PIDPressure', status: 'True', key: 'node.kubernetes.io/pid-pressure' },
  { type: 'NetworkUnavailable', status: 'True', key: 'node.kubernetes.io/network-unavailable' },
];

/** Keys of every taint this controller owns (others' taints are never touched). */
const OWNED_KEYS = new Set([...CONDITION_TAINTS.map((t) => t.key), TAINT_NODE_UNSCHEDULABLE]);

/** A condition of `node` by type. */
export function conditionOf(node: Node, type: string): NodeCondition | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === type);
}

const ms = (stamp: string | undefined) => (stamp ? Date.parse(stamp) : Number.NaN);

/** When the node last showed life, in epoch ms: the latest of lease renewal, Ready heartbeat and creation. */
export function lastProbeMs(node: Node, lease: Lease | undefined): number {
  const times = [
    ms(lease?.spec?.renewTime),
    ms(conditionOf(node, 'Ready')?.lastHeartbeatTime),
    ms(node.metadata?.creationTimestamp),
  ].filter((t) => !Number.isNaN(t));
  return times.length ? Math.max(...times) : 0;
}

/**
 * The conditions a node whose kubelet went silent should show: each
 * kubelet-owned condition Unknown (Ready added when the kubelet never posted
 * it), heartbeat times kept, transition times moved only when the status changes.
 * Undefined when they already say so.
 */
export function unknownConditions(node: Node, now: Date): NodeCondition[] | undefined {
  const conditions = [...(node.status?.conditions ?? [])];
  let changed = false;
  for (const type of KUBELET_CONDITIONS) {
    const at = conditions.findIndex((c) => c.type === type);
    const cur = at >= 0 ? conditions[at] : undefined;
    if (!cur && type !== 'Ready') continue;
    if (cur?.status === 'Unknown') continue;
    changed = true;
    const next: NodeCondition = {
      type,
      status: 'Unknown',
      reason: cur ? NODE_STATUS_UNKNOWN : NEVER_UPDATED,
      message: cur ? NODE_STATUS_UNKNOWN_MESSAGE : NEVER_UPDATED_MESSAGE,
      lastHeartbeatTime: cur?.lastHeartbeatTime ?? node.metadata?.creationTimestamp,
      lastTransitionTime: rfc3339(now),
    };
    if (at >= 0) conditions[at] = next;
    else conditions.push(next);
  }
  return changed ? conditions : undefined;
}

/**
 * The node's taints as its conditions call for: the controller-owned taints
 * (NoSchedule per condition and for `spec.unschedulable`, NoExecute for
 * not-ready / unreachable) replaced, everything else kept. Existing taints
 * keep their `timeAdded`; new NoExecute taints are stamped `now`.
 */
export function desiredTaints(node: Node, conditions: readonly NodeCondition[], now: Date): Taint[] {
  const current = node.spec?.taints ?? [];
  const want: Taint[] = [];
  for (const t of CONDITION_TAINTS) {
    if (conditions.find((c) => c.type === t.type)?.status === t.status) want.push({ key: t.key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) want.push({ key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
  const ready = conditions.find((c) => c.type === 'Ready')?.status;
  if (ready === 'False') want.push({ key: TAINT_NODE_NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') want.push({ key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute' });
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
  const kept = current.filter((t) => !OWNED_KEYS.has(t.key) || want.some((w) => same(w, t)));
  for (const w of want) {
    if (kept.some((t) => same(t, w))) continue;
    kept.push(w.effect === 'NoExecute' ? { ...w, timeAdded: rfc3339(now) } : w);
  }
  return kept;
}
