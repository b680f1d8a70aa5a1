/**
 * The DaemonSet controller's plan: from the DaemonSet, every node and the
 * pods of its namespace, which orphans to adopt, on which nodes to create a
 * daemon pod, which pods to delete (misscheduled, failed, duplicates, pods
 * of nodes that are gone, and old pods a rolling update replaces), and the
 * status. Pure and level-based: planning the result again asks for nothing new.
 */
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { labelSelectorFromLabelSelector } from '../../api/selectors/labels.ts';
import { controllerRefOf } from '../replicaset/plan.ts';
import { CONTROLLER_REVISION_HASH_LABEL, daemonPodFor, daemonSetHash, targetNodeName } from './pod.ts';
import { nodeShouldRunDaemonPod, type NodeVerdict } from './predicates.ts';
import { availability, type NodePods, rollingUpdate } from './rolling.ts';

/** What the plan is computed from. */
export interface DaemonSetPlanInput {
  daemonSet: DaemonSet;
  nodes: readonly Node[];
  /** Every pod of the DaemonSet's namespace. */
  pods: readonly Pod[];
  now: Date;
}

/** What one sync should do: adopt, then create and delete, then write status. */
export interface DaemonSetPlan {
  /** Orphans the selector matches, to give our controller ownerReference. */
  adopt: Pod[];
  /** Nodes that need a daemon pod created. */
  create: string[];
  /** Pods to delete. */
  delete: Pod[];
  status: DaemonSetStatus;
  /** When a ready pod becomes available (minReadySeconds), look again. */
  requeueAfterMs?: number;
}

const isTerminating = (p: Pod) => !!p.metadata?.deletionTimestamp;
const isFinished = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';
const created = (p: Pod) => Date.parse(p.metadata?.creationTimestamp ?? '') || 0;
/** Oldest first, name breaking ties: the pod Kubernetes keeps when a node has several. */
const byAge = (a: Pod, b: Pod) =>
  created(a) - created(b) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** The DaemonSet's pods (and orphans to adopt) grouped by the node they are for. */
function claimPods(ds: DaemonSet, pods: readonly Pod[]): { byNode: Map<string, Pod[]>; adopt: Pod[] } {
  const selector = labelSelectorFromLabelSelector(ds.spec?.selector);
  const deleting = !!ds.metadata?.deletionTimestamp;
  const byNode = new Map<string, Pod[]>();
  const adopt: Pod[] = [];
  for (const pod of pods) {
    const ref = controllerRefOf(pod);
    if (ref) {
      if (ref.uid !== ds.metadata?.uid) continue;
    } else {
      if (deleting || isTerminating(pod) || isFinished(pod) || !selector.matches(pod.metadata?.labels)) continue;
      adopt.push(pod);
    }
    const node = targetNodeName(pod);
    byNode.set(node, [...(byNode.get(node) ?? []), pod]);
  }
  return { byNode, adopt };
}

/** Plans one sync. Pure; never mutates its input. A DaemonSet being deleted only gets its status. */
export function planDaemonSet(input: DaemonSetPlanInput): DaemonSetPlan {
  const ds = input.daemonSet;
  const hash = daemonSetHash(ds);
  const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
  const rolling = ds.spec?.updateStrategy?.type !== 'OnDelete';
  const { byNode, adopt } = claimPods(ds, input.pods);
  const create: string[] = [];
  const del: Pod[] = [];
  const eligible: NodePods[] = [];
  const counts = { desired: 0, current: 0, misscheduled: 0, ready: 0, available: 0, updated: 0 };
  let requeueAfterMs: number | undefined;
  const known = new Set<string>();
  for (const node of input.nodes) {
    const name = node.metadata?.name ?? '';
    known.add(name);
    const verdict: NodeVerdict = nodeShouldRunDaemonPod(node, daemonPodFor(ds, name, hash));
    const pods = byNode.get(name) ?? [];
    const live = pods.filter((p) => !isTerminating(p)).sort(byAge);
    if (verdict.shouldRun) {
      counts.desired++;
      if (pods.length) counts.current++;
      const shown = live.find((p) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash) ?? live[0];
      if (shown) {
        const a = availability(shown, minReadySeconds, input.now);
        if (a.ready) counts.ready++;
        if (a.available) counts.available++;
        else if (a.inMs !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? a.inMs, a.inMs);
      }
      if (live.some((p) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash)) counts.updated++;
    } else if (pods.length) {
      counts.misscheduled++;
    }
    if (!verdict.shouldContinueRunning) {
      del.push(...live);
      continue;
    }
    const running = live.filter((p) => {
      if (!isFinished(p)) return true;
      del.push(p);
      return false;
    });
    if (running.length === 0) {
      // A pod still terminating holds the node (its ports, its volumes) until it is gone.
      if (verdict.shouldRun && !pods.some(isTerminating)) create.push(name);
      continue;
    }
    eligible.push({ node: name, shouldRun: verdict.shouldRun, pods: running });
  }
  // Pods for nodes that no longer exist go too (Kubernetes' pod GC does that for bound ones).
  for (const [node, pods] of byNode) if (!known.has(node)) del.push(...pods.filter((p) => !isTerminating(p)));
  if (!ds.metadata?.deletionTimestamp) {
    const step = rollingUpdate(ds, hash, eligible, counts.desired, input.now, rolling);
    create.push(...step.create);
    del.push(...step.delete);
  }
  const status: DaemonSetStatus = {
    ...ds.status,
    currentNumberScheduled: counts.current,
    numberMisscheduled: counts.misscheduled,
    desiredNumberScheduled: counts.desired,
    numberReady: counts.ready,
    observedGeneration: ds.metadata?.generation ?? 0,
    updatedNumberScheduled: counts.updated,
    numberAvailable: counts.available,
    numberUnavailable: counts.desired - counts.available,
  };
  if (!status.numberAvailable) delete status.numberAvailable;
  if (!status.numberUnavailable) delete status.numberUnavailable;
  if (!status.updatedNumberScheduled) delete status.updatedNumberScheduled;
  const deleting = !!ds.metadata?.deletionTimestamp;
  return {
    adopt,
    create: deleting ? [] : create,
    delete: deleting ? [] : del,
    status,
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
  };
}
