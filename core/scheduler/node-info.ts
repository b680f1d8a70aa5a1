/**
 * The mutable implementation behind the read-only {@link NodeInfo} plugins see:
 * aggregates (requested resources, pod count, host ports) are updated on every
 * add/remove so that a filter never re-sums a node's pods.
 */
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { quantityMilliValue, quantityValue } from '../api/quantity.ts';
import type { CycleState, HostPort, NodeInfo, PodInfo, Resources } from './framework.ts';
import {
  emptyResources,
  isScalarResourceName,
  podHostPorts,
  podNonZeroRequests,
  podRequests,
} from './pod-resources.ts';

/** The cache key of a pod: its UID, or `namespace/name` when it has none (fixtures, dry runs). */
export function podKey(pod: Pod): string {
  const m = pod.metadata ?? {};
  return m.uid || `${m.namespace ?? 'default'}/${m.name ?? ''}`;
}

/** Derives a {@link PodInfo} from a pod; parses its quantities once. */
export function newPodInfo(pod: Pod): PodInfo {
  return {
    pod,
    key: podKey(pod),
    namespace: pod.metadata?.namespace ?? 'default',
    labels: pod.metadata?.labels ?? {},
    terminating: pod.metadata?.deletionTimestamp != null,
    requests: podRequests(pod),
    nonZeroRequests: podNonZeroRequests(pod),
    hostPorts: podHostPorts(pod),
  };
}

function safe(parse: (q: string) => number, q: string | undefined): number {
  if (q === undefined) return 0;
  try {
    return parse(q);
  } catch {
    return 0;
  }
}

/** A node's allocatable resources, from `status.allocatable` or else `status.capacity`. */
export function nodeAllocatable(node: Node): Resources {
  const list = node.status?.allocatable ?? node.status?.capacity ?? {};
  const r = emptyResources();
  for (const [name, q] of Object.entries(list)) {
    if (name === 'cpu') r.milliCPU = safe(quantityMilliValue, q);
    else if (name === 'memory') r.memory = safe(quantityValue, q);
    else if (name === 'ephemeral-storage') r.ephemeralStorage = safe(quantityValue, q);
    else if (name === 'pods') r.pods = safe(quantityValue, q);
    else if (isScalarResourceName(name)) r.scalar.set(name, safe(quantityValue, q));
  }
  return r;
}

/** The key a host port is indexed under within its host IP. */
export function portKey(p: HostPort): string {
  return `${p.protocol}/${p.port}`;
}

/**
 * A node plus its pods with incrementally maintained aggregates. Not safe to
 * mutate while a scheduling cycle reads it; the cache only mutates between cycles.
 */
export class MutableNodeInfo implements NodeInfo {
  node!: Node;
  name!: string;
  labels!: Readonly<Record<string, string>>;
  taints!: readonly Taint[];
  readyStatus: string | undefined;
  allocatable!: Resources;
  readonly pods: PodInfo[] = [];
  readonly requested: Resources = emptyResources();
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 };
  readonly usedPorts = new Map<string, Map<string, number>>();

  constructor(node: Node) {
    this.setNode(node);
  }

  /** Replaces the node object (labels, taints, allocatable change); pods are kept. */
  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.readyStatus = undefined;
    for (const c of node.status?.conditions ?? []) if (c.type === 'Ready') this.readyStatus = c.status;
    this.allocatable = nodeAllocatable(node);
  }

  /** Adds a pod and its requests and ports. The caller guarantees the key is not present. */
  addPod(info: PodInfo): void {
    this.pods.push(info);
    this.#account(info, 1);
  }

  /** Removes the pod with `key`; returns whether it was present. */
  removePod(key: string): boolean {
    const i = this.pods.findIndex((p) => p.key === key);
    if (i < 0) return false;
    const [info] = this.pods.splice(i, 1);
    this.#account(info, -1);
    return true;
  }

  #account(info: PodInfo, sign: 1 | -1): void {
    const r = this.requested;
    r.milliCPU += sign * info.requests.milliCPU;
    r.memory += sign * info.requests.memory;
    r.ephemeralStorage += sign * info.requests.ephemeralStorage;
    r.pods += sign;
    for (const [name, v] of info.requests.scalar) {
      const next = (r.scalar.get(name) ?? 0) + sign * v;
      if (next === 0) r.scalar.delete(name);
      else r.scalar.set(name, next);
    }
    this.nonZeroRequested.milliCPU += sign * info.nonZeroRequests.milliCPU;
    this.nonZeroRequested.memory += sign * info.nonZeroRequests.memory;
    for (const p of info.hostPorts) {
      let byIP = this.usedPorts.get(p.hostIP);
      if (!byIP) {
        byIP = new Map();
        this.usedPorts.set(p.hostIP, byIP);
      }
      const key = portKey(p);
      const n = (byIP.get(key) ?? 0) + sign;
      if (n > 0) byIP.set(key, n);
      else byIP.delete(key);
      if (byIP.size === 0) this.usedPorts.delete(p.hostIP);
    }
  }
}

/** Builds a NodeInfo for `node` holding `pods` (tests and one-off snapshots). */
export function newNodeInfo(node: Node, pods: readonly Pod[] = []): MutableNodeInfo {
  const info = new MutableNodeInfo(node);
  for (const pod of pods) info.addPod(newPodInfo(pod));
  return info;
}

/** The {@link PodInfo} of the pod being scheduled, derived once per cycle and shared by plugins. */
export function cyclePodInfo(pod: Pod, state: CycleState): PodInfo {
  return (state.podInfo ??= newPodInfo(pod));
}
