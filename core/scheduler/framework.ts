/**
 * The scheduling framework's vocabulary, after kube-scheduler's
 * `pkg/scheduler/framework`: statuses, per-cycle state, the per-node snapshot
 * (`NodeInfo`) and the plugin extension points. Everything here is synchronous
 * and pure over a snapshot; binding is the only I/O and lives outside core.
 */
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, ReplicationController, Service, Taint } from 'kubernetes-types/core/v1.js';
import type { LabelMatcher } from './selectors.ts';

/** Highest score a plugin may give a node after normalization (`framework.MaxNodeScore`). */
export const MAX_NODE_SCORE = 100;

/**
 * A status code. `Unschedulable` may be resolved by preemption or by pods
 * leaving; `UnschedulableAndUnresolvable` may not. `Skip` (pre-hooks only) says
 * the plugin has nothing to do for this pod, so its filter or score is not run.
 */
export type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Skip';

/** The outcome of a plugin call: a code and, when rejecting, the reasons shown to users. */
export interface Status {
  readonly code: Code;
  readonly reasons: readonly string[];
}

/** The shared success status. */
export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: Object.freeze([]) as readonly string[] });

/** The shared skip status. */
export const SKIP: Status = Object.freeze({ code: 'Skip', reasons: Object.freeze([]) as readonly string[] });

/** A rejecting status with the given reasons (in the order the plugin reports them). */
export function unschedulable(...reasons: string[]): Status {
  return { code: 'Unschedulable', reasons };
}

/** A rejecting status that no preemption could resolve. */
export function unresolvable(...reasons: string[]): Status {
  return { code: 'UnschedulableAndUnresolvable', reasons };
}

/** Whether the status lets the pod through (Success or Skip). */
export function isSuccess(status: Status): boolean {
  return status.code === 'Success' || status.code === 'Skip';
}

/**
 * Per-scheduling-cycle scratch space: PreFilter/PreScore hooks write what they
 * computed once for the pod, Filter/Score read it for every node. A fresh one
 * per `schedulePod` call; keys are plugin-owned (by convention the plugin name).
 */
export class CycleState {
  readonly #data = new Map<string, unknown>();
  /** The pod being scheduled, derived once (see `cyclePodInfo`): a field, as plugins read it for every node. */
  podInfo: PodInfo | undefined;

  /** The value under `key`, or undefined when nothing was written. */
  read<T>(key: string): T | undefined {
    return this.#data.get(key) as T | undefined;
  }

  /** Stores `value` under `key`, replacing any previous value. */
  write<T>(key: string, value: T): void {
    this.#data.set(key, value);
  }
}

/**
 * Compute resources in scheduler units: CPU in millicores, memory and
 * ephemeral storage in bytes, `pods` a count, extended resources
 * (`nvidia.com/gpu`, `hugepages-2Mi`) by name in their integer units.
 */
export interface Resources {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  pods: number;
  scalar: Map<string, number>;
}

/** A host port a container asks for, sanitized (`hostIP` "" → "0.0.0.0", protocol "" → "TCP"). */
export interface HostPort {
  readonly hostIP: string;
  readonly protocol: string;
  readonly port: number;
}

/** A pod with what the scheduler derives from it, computed once when it enters a NodeInfo or a cycle. */
export interface PodInfo {
  readonly pod: Pod;
  /** `metadata.uid`, or `namespace/name` for objects without one. */
  readonly key: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Has a deletionTimestamp; spreading ignores such pods. */
  readonly terminating: boolean;
  /** Effective requests: max(sum of app containers, any init container) + overhead; `pods` is 1. */
  readonly requests: Readonly<Resources>;
  /** Requests with 100m CPU / 200Mi memory for containers that set none, as scoring uses. */
  readonly nonZeroRequests: { readonly milliCPU: number; readonly memory: number };
  readonly hostPorts: readonly HostPort[];
}

/**
 * A node with the pods assigned to it (bound or assumed) and aggregates kept up
 * to date incrementally, so filters run in O(1) per node rather than
 * re-summing pods. Read-only to plugins.
 */
export interface NodeInfo {
  readonly node: Node;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  /** The status of the node's `Ready` condition (`True`, `False`, `Unknown`), undefined without one. */
  readonly readyStatus: string | undefined;
  readonly pods: readonly PodInfo[];
  /** Sum of the pods' effective requests; `pods` is the pod count. */
  readonly requested: Readonly<Resources>;
  /** Sum of the pods' non-zero requests (CPU and memory), for scoring. */
  readonly nonZeroRequested: { readonly milliCPU: number; readonly memory: number };
  /** `status.allocatable` (falling back to `status.capacity`, as API defaulting does). */
  readonly allocatable: Readonly<Resources>;
  /** Host IP → "PROTOCOL/port" → number of pods using it. */
  readonly usedPorts: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** Read access to the objects spreading derives selectors from (services and pod controllers). */
export interface WorkloadLister {
  services(namespace: string): readonly Service[];
  replicationController(namespace: string, name: string): ReplicationController | undefined;
  replicaSet(namespace: string, name: string): ReplicaSet | undefined;
  statefulSet(namespace: string, name: string): StatefulSet | undefined;
}

/**
 * A consistent view of the cluster for one scheduling cycle: every node (in
 * zone-interleaved order, so sampling a prefix spreads across zones) and the
 * workloads spreading needs.
 */
export interface Snapshot {
  readonly nodeInfos: readonly NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  readonly workloads: WorkloadLister;
  /**
   * Non-terminating pods in `namespace` that `selector` matches, by node name
   * (nodes with none are absent), as spreading counts them: an empty or
   * nothing selector counts no pods. Indexed, so asking per cycle is cheap.
   */
  countMatchingPods(namespace: string, selector: LabelMatcher): ReadonlyMap<string, number>;
  /**
   * The same pods summed per value of `topologyKey` over the nodes carrying
   * that label (nodes without it are left out). Optional: an index answers it
   * without visiting every node; callers fall back to `countMatchingPods`.
   */
  countMatchingPodsByDomain?(
    namespace: string,
    selector: LabelMatcher,
    topologyKey: string,
  ): ReadonlyMap<string, number>;
}

/** Anything plugged into the framework; `name` is the registry and configuration key. */
export interface Plugin {
  readonly name: string;
}

/**
 * PreFilter's answer: a status (Skip disables this plugin's Filter for the
 * cycle; a rejection fails the pod on every node) and optionally the only node
 * names worth filtering (NodeAffinity's `metadata.name` fast path).
 */
export interface PreFilterResult {
  readonly status: Status;
  readonly nodeNames?: ReadonlySet<string>;
}

/** Runs once per pod before filtering, typically to precompute state for Filter. */
export interface PreFilterPlugin extends Plugin {
  preFilter(pod: Pod, state: CycleState, snapshot: Snapshot): PreFilterResult;
}

/** Decides whether a pod may run on one node. Must be cheap: it runs for many nodes per pod. */
export interface FilterPlugin extends Plugin {
  filter(pod: Pod, nodeInfo: NodeInfo, state: CycleState): Status;
}

/** Runs once per pod over the feasible nodes before scoring; Skip disables this plugin's Score. */
export interface PreScorePlugin extends Plugin {
  preScore(pod: Pod, state: CycleState, nodes: readonly NodeInfo[], snapshot: Snapshot): Status;
}

/**
 * Ranks a feasible node. Raw scores may be on any scale when `normalize` is
 * given, which rewrites `scores` (index-aligned with `nodes`) in place to
 * 0..{@link MAX_NODE_SCORE}; without `normalize`, `score` must already be in range.
 */
export interface ScorePlugin extends Plugin {
  score(pod: Pod, nodeInfo: NodeInfo, state: CycleState): number;
  /**
   * Optional batch form of `score`: writes `out[i] = score(pod, nodes[i], state)`
   * for every node, with the same results, in one call (the framework prefers
   * it: one state lookup per cycle and a loop the engine can specialize).
   */
  scoreNodes?(pod: Pod, nodes: readonly NodeInfo[], state: CycleState, out: number[]): void;
  normalize?(scores: number[], nodes: readonly NodeInfo[], state: CycleState): void;
}

/** Any combination of extension points a plugin implements. */
export type AnyPlugin = Plugin &
  Partial<
    Pick<PreFilterPlugin, 'preFilter'> &
      Pick<FilterPlugin, 'filter'> &
      Pick<PreScorePlugin, 'preScore'> &
      Pick<ScorePlugin, 'score' | 'scoreNodes' | 'normalize'>
  >;
