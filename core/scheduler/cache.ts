/**
 * The scheduler's view of the cluster, built from nodes and pods and kept up
 * to date incrementally (kube-scheduler's `internal/cache`). Besides pods the
 * store shows bound, it holds pods the scheduler has *assumed*: decided and
 * being bound, not yet visible in the store, so that pods placed in the same
 * batch count against capacity.
 *
 * Lifecycle of a pod the scheduler places: `assume(pod, node)` right after
 * `schedulePod` → bind → on failure `forget(pod)`; when the bound pod shows up
 * from the store, `confirm(pod)` (or just `upsertPod(pod)`, which confirms).
 */
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, ReplicationController, Service } from 'kubernetes-types/core/v1.js';
import type { NodeInfo, PodInfo, Snapshot, WorkloadLister } from './framework.ts';
import { MutableNodeInfo, newPodInfo, podKey } from './node-info.ts';
import { type NodeLabelLookup, PodCountIndex } from './pod-count-index.ts';
import type { LabelMatcher } from './selectors.ts';
import { zoneKey } from './topology-spread.ts';

/** Objects spreading derives selectors from. */
export type WorkloadKind = 'Service' | 'ReplicationController' | 'ReplicaSet' | 'StatefulSet';

/** Everything to seed a cache with; see {@link createSchedulerCache}. */
export interface CacheContents {
  readonly nodes?: readonly Node[];
  readonly pods?: readonly Pod[];
  readonly services?: readonly Service[];
  readonly replicationControllers?: readonly ReplicationController[];
  readonly replicaSets?: readonly ReplicaSet[];
  readonly statefulSets?: readonly StatefulSet[];
}

interface PodEntry {
  nodeName: string;
  info: PodInfo;
  assumed: boolean;
}

type WorkloadObject = Service | ReplicationController | ReplicaSet | StatefulSet;

const NO_COUNTS: ReadonlyMap<string, number> = new Map();

function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * Nodes, the pods on them (bound and assumed) and workloads, with a cheap
 * {@link Snapshot} view. Mutations are synchronous; a snapshot is valid until
 * the next mutation (scheduling cycles run between mutations).
 */
export class SchedulerCache {
  readonly #nodes = new Map<string, MutableNodeInfo>();
  readonly #pods = new Map<string, PodEntry>();
  /** Pods on nodes the cache has not seen (yet, or any more), by node name. */
  readonly #orphans = new Map<string, Map<string, PodInfo>>();
  /** Kind → namespace → name → object. */
  readonly #workloads = new Map<WorkloadKind, Map<string, Map<string, WorkloadObject>>>();
  #ordered: NodeInfo[] | undefined;
  #snapshot: Snapshot | undefined;
  readonly #counts = new PodCountIndex();
  readonly #workloadLister: WorkloadLister = this.#lister();

  /** Adds a node or replaces its object; its pods are kept. */
  upsertNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const existing = this.#nodes.get(name);
    if (existing) {
      if (zoneKey(existing.node) !== zoneKey(node)) this.#ordered = undefined;
      if (!sameLabels(existing.labels, node.metadata?.labels ?? {})) this.#counts.invalidateDomains();
      existing.setNode(node);
      return;
    }
    const info = new MutableNodeInfo(node);
    for (const p of this.#orphans.get(name)?.values() ?? []) info.addPod(p);
    this.#orphans.delete(name);
    this.#nodes.set(name, info);
    this.#ordered = undefined;
    this.#counts.invalidateDomains();
  }

  /** Removes a node; its pods stay accounted to its name in case it comes back before they go. */
  removeNode(name: string): void {
    const info = this.#nodes.get(name);
    if (!info) return;
    this.#nodes.delete(name);
    if (info.pods.length > 0) this.#orphans.set(name, new Map(info.pods.map((p) => [p.key, p])));
    this.#ordered = undefined;
    this.#counts.invalidateDomains();
  }

  /**
   * Records a pod as the store shows it. A bound, non-terminal pod is counted
   * on its node (confirming it if it was assumed); a terminal one is dropped;
   * an unbound one drops an earlier bound copy but not an assumed one, whose
   * binding the store has not caught up with yet.
   */
  upsertPod(pod: Pod): void {
    const key = podKey(pod);
    const existing = this.#pods.get(key);
    const nodeName = pod.spec?.nodeName;
    if (isTerminal(pod) || !nodeName) {
      if (existing && (isTerminal(pod) || !existing.assumed)) this.#detach(key, existing);
      return;
    }
    if (existing) this.#detach(key, existing);
    this.#attach(key, { nodeName, info: newPodInfo(pod), assumed: false });
  }

  /** Forgets a pod deleted from the store (bound or assumed). */
  removePod(pod: Pod): void {
    const key = podKey(pod);
    const existing = this.#pods.get(key);
    if (existing) this.#detach(key, existing);
  }

  /**
   * Counts `pod` on `nodeName` ahead of the binding. Throws when the cache
   * already holds the pod (bound, or assumed twice).
   */
  assume(pod: Pod, nodeName: string): void {
    const key = podKey(pod);
    if (this.#pods.has(key)) {
      throw new Error(`pod ${pod.metadata?.namespace}/${pod.metadata?.name} is in the cache, so can't be assumed`);
    }
    const bound: Pod = { ...pod, spec: { ...pod.spec, containers: pod.spec?.containers ?? [], nodeName } };
    this.#attach(key, { nodeName, info: newPodInfo(bound), assumed: true });
  }

  /** Undoes {@link assume} after a failed binding; returns false when the pod was not assumed. */
  forget(pod: Pod): boolean {
    const key = podKey(pod);
    const existing = this.#pods.get(key);
    if (!existing?.assumed) return false;
    this.#detach(key, existing);
    return true;
  }

  /**
   * Marks an assumed pod as seen in the store, adopting the stored object when
   * it is bound; returns false when the pod was not assumed.
   */
  confirm(pod: Pod): boolean {
    const existing = this.#pods.get(podKey(pod));
    if (!existing?.assumed) return false;
    if (pod.spec?.nodeName) this.upsertPod(pod);
    else existing.assumed = false;
    return true;
  }

  /** Whether the pod is assumed and not yet confirmed. */
  isAssumed(pod: Pod): boolean {
    return this.#pods.get(podKey(pod))?.assumed ?? false;
  }

  /** Adds or replaces a Service, ReplicationController, ReplicaSet or StatefulSet. */
  upsertWorkload(kind: WorkloadKind, obj: WorkloadObject): void {
    let byNamespace = this.#workloads.get(kind);
    if (!byNamespace) {
      byNamespace = new Map();
      this.#workloads.set(kind, byNamespace);
    }
    const ns = obj.metadata?.namespace ?? 'default';
    let byName = byNamespace.get(ns);
    if (!byName) {
      byName = new Map();
      byNamespace.set(ns, byName);
    }
    byName.set(obj.metadata?.name ?? '', obj);
  }

  /** Removes a workload object by kind, namespace and name. */
  removeWorkload(kind: WorkloadKind, namespace: string, name: string): void {
    this.#workloads.get(kind)?.get(namespace)?.delete(name);
  }

  /** The current state as a {@link Snapshot}; valid until the next mutation. */
  snapshot(): Snapshot {
    // NodeInfos are live, so the view only changes when the set of nodes (or their order) does.
    if (this.#snapshot && this.#ordered) return this.#snapshot;
    const nodes = this.#nodes;
    this.#snapshot = {
      nodeInfos: this.#orderedNodes(),
      get: (name) => nodes.get(name),
      workloads: this.#workloadLister,
      countMatchingPods: (namespace, selector) => this.#countMatching(namespace, selector),
      countMatchingPodsByDomain: (namespace, selector, topologyKey) =>
        selector.empty || selector.nothing
          ? NO_COUNTS
          : this.#counts.domainCounts(namespace, selector, topologyKey, () => this.#allPods(), this.#labelOf),
    };
    return this.#snapshot;
  }

  #countMatching(namespace: string, selector: LabelMatcher): ReadonlyMap<string, number> {
    if (selector.empty || selector.nothing) return NO_COUNTS;
    return this.#counts.counts(namespace, selector, () => this.#allPods());
  }

  *#allPods(): Iterable<[PodInfo, string]> {
    for (const e of this.#pods.values()) yield [e.info, e.nodeName];
  }

  readonly #labelOf: NodeLabelLookup = (nodeName, key) => {
    const labels = this.#nodes.get(nodeName)?.labels;
    return labels && Object.hasOwn(labels, key) ? labels[key] : undefined;
  };

  #attach(key: string, entry: PodEntry): void {
    this.#pods.set(key, entry);
    this.#counts.update(entry.info, entry.nodeName, 1, this.#labelOf);
    const node = this.#nodes.get(entry.nodeName);
    if (node) {
      node.addPod(entry.info);
      return;
    }
    let orphans = this.#orphans.get(entry.nodeName);
    if (!orphans) {
      orphans = new Map();
      this.#orphans.set(entry.nodeName, orphans);
    }
    orphans.set(key, entry.info);
  }

  #detach(key: string, entry: PodEntry): void {
    this.#pods.delete(key);
    this.#counts.update(entry.info, entry.nodeName, -1, this.#labelOf);
    if (this.#nodes.get(entry.nodeName)?.removePod(key)) return;
    const orphans = this.#orphans.get(entry.nodeName);
    orphans?.delete(key);
    if (orphans?.size === 0) this.#orphans.delete(entry.nodeName);
  }

  // Zones take turns (as kube-scheduler's nodeTree) so that a sampled run of
  // consecutive nodes covers every zone.
  #orderedNodes(): NodeInfo[] {
    if (this.#ordered) return this.#ordered;
    const byZone = new Map<string, NodeInfo[]>();
    for (const n of this.#nodes.values()) {
      const z = zoneKey(n.node);
      const list = byZone.get(z);
      if (list) list.push(n);
      else byZone.set(z, [n]);
    }
    const zones = [...byZone.values()];
    const out: NodeInfo[] = [];
    for (let i = 0; out.length < this.#nodes.size; i++) {
      for (const z of zones) if (i < z.length) out.push(z[i]);
    }
    this.#ordered = out;
    return out;
  }

  #lister(): WorkloadLister {
    const get = <T extends WorkloadObject>(kind: WorkloadKind, ns: string, name: string) =>
      this.#workloads.get(kind)?.get(ns)?.get(name) as T | undefined;
    return {
      services: (ns) => [...(this.#workloads.get('Service')?.get(ns)?.values() ?? [])] as Service[],
      replicationController: (ns, name) => get<ReplicationController>('ReplicationController', ns, name),
      replicaSet: (ns, name) => get<ReplicaSet>('ReplicaSet', ns, name),
      statefulSet: (ns, name) => get<StatefulSet>('StatefulSet', ns, name),
    };
  }
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k] || !Object.hasOwn(b, k)) return false;
  return true;
}

/** A cache seeded with lists (as the scheduler gets them at start-up, or in tests). */
export function createSchedulerCache(contents: CacheContents = {}): SchedulerCache {
  const cache = new SchedulerCache();
  for (const n of contents.nodes ?? []) cache.upsertNode(n);
  for (const p of contents.pods ?? []) cache.upsertPod(p);
  for (const s of contents.services ?? []) cache.upsertWorkload('Service', s);
  for (const rc of contents.replicationControllers ?? []) cache.upsertWorkload('ReplicationController', rc);
  for (const rs of contents.replicaSets ?? []) cache.upsertWorkload('ReplicaSet', rs);
  for (const ss of contents.statefulSets ?? []) cache.upsertWorkload('StatefulSet', ss);
  return cache;
}
