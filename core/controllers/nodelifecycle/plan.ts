/**
 * The node lifecycle controller's plan, in two pure steps: `planNode` judges
 * the node (conditions to post when its heartbeats stopped, taints its
 * conditions call for, Events about it, when to look again), and
 * `planPods` decides for the pods bound to it (mark them not ready while
 * the node is unknown; evict them as the NoExecute taint manager does).
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE } from '../../scheduler/taints.ts';
import { canonicalJson } from '../deployment/hash.ts';
import { desiredTaints, lastProbeMs, unknownConditions } from './conditions.ts';
import { evictionTime } from './eviction.ts';

/** An Event the plan asks for (about the node, or about one of its pods). */
export interface PlannedEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** What to do about the node itself. */
export interface NodePlan {
  /** The conditions to write through `nodes/status`, when they change. */
  conditions?: NodeCondition[];
  /** The taints to write to `spec.taints`, when they change. */
  taints?: Taint[];
  /** The Ready status the node has once the plan is applied. */
  ready: string;
  /** The taints the node has once the plan is applied. */
  taintsAfter: Taint[];
  events: PlannedEvent[];
  /** When the node would go stale if nothing renews it. */
  requeueAfterMs?: number;
}

const isNodeDownTaint = (t: Taint) =>
  t.effect === 'NoExecute' && (t.key === TAINT_NODE_NOT_READY || t.key === TAINT_NODE_UNREACHABLE);

/** Judges one node at `now` with grace period `graceMs`. Pure. */
export function planNode(node: Node, lease: Lease | undefined, now: Date, graceMs: number): NodePlan {
  const name = node.metadata?.name ?? '';
  const events: PlannedEvent[] = [];
  const probe = lastProbeMs(node, lease);
  const stale = now.getTime() - probe > graceMs;
  const posted = stale ? unknownConditions(node, now) : undefined;
  const conditions = posted ?? node.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready')?.status ?? '';
  const before = node.spec?.taints ?? [];
  const after = desiredTaints(node, conditions, now);
  const wasDown = before.some(isNodeDownTaint);
  const isDown = after.some(isNodeDownTaint);
  if (isDown && !wasDown) {
    events.push({ type: 'Normal', reason: 'NodeNotReady', message: `Node ${name} status is now: NodeNotReady` });
  } else if (wasDown && !isDown && ready === 'True') {
    events.push({ type: 'Normal', reason: 'NodeReady', message: `Node ${name} status is now: NodeReady` });
  }
  const taintsChanged = canonicalJson(after) !== canonicalJson(before);
  return {
    ...(posted ? { conditions: posted } : {}),
    ...(taintsChanged ? { taints: after } : {}),
    ready,
    taintsAfter: after,
    events,
    ...(stale ? {} : { requeueAfterMs: Math.max(1, probe + graceMs - now.getTime() + 100) }),
  };
}

/** What to do about the pods bound to the node. */
export interface PodsPlan {
  /** Pods whose Ready condition goes False (the node is unknown, so their readiness is too). */
  markNotReady: Pod[];
  /** Pods to delete (taint manager eviction). */
  evict: Pod[];
  /** When the next toleration runs out. */
  requeueAfterMs?: number;
}

/** Whether the pods of a node with this plan need looking at (so the sync lists them only then). */
export function podsMatter(plan: NodePlan): boolean {
  return plan.ready === 'Unknown' || plan.taintsAfter.some((t) => t.effect === 'NoExecute');
}

/** Decides for the pods bound to a node after `plan`. Pure. Terminating and finished pods are left alone. */
export function planPods(plan: NodePlan, pods: readonly Pod[], now: Date): PodsPlan {
  const markNotReady: Pod[] = [];
  const evict: Pod[] = [];
  let next: number | undefined;
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (pod.metadata?.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed') continue;
    const when = evictionTime(pod, plan.taintsAfter, now.getTime());
    if (when.at === 'now') {
      evict.push(pod);
      continue;
    }
    if (when.at === 'later') next = Math.min(next ?? when.ms, when.ms);
    const readyCond = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
    if (plan.ready === 'Unknown' && readyCond && readyCond.status !== 'False') markNotReady.push(pod);
  }
  return {
    markNotReady,
    evict,
    ...(next !== undefined ? { requeueAfterMs: Math.max(1, next - now.getTime() + 50) } : {}),
  };
}
