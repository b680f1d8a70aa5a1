/**
 * Counts of pods matching a label selector, per node, kept up to date as pods
 * come and go. Spreading asks "how many pods of this workload are on each
 * node" for every pod it places; scanning every pod on every node for that is
 * O(pods) per cycle, so the first question for a selector builds a count and
 * later pod changes adjust it.
 */
import type { PodInfo } from './framework.ts';
import type { LabelMatcher } from './selectors.ts';

interface Entry {
  readonly selector: LabelMatcher;
  readonly byNode: Map<string, number>;
  /** Topology key → label value → matching pods on nodes carrying that label; built on demand. */
  byDomain?: Map<string, Map<string, number>>;
}

/** A node's value for a label key, or undefined when the node is unknown or lacks the label. */
export type NodeLabelLookup = (nodeName: string, key: string) => string | undefined;

/** Beyond this many tracked selectors the oldest is dropped (and rebuilt if asked again). */
const MAX_ENTRIES = 1024;

/** Per-namespace, per-selector counts of non-terminating matching pods by node name. */
export class PodCountIndex {
  /** Namespace → selector key → entry. */
  readonly #entries = new Map<string, Map<string, Entry>>();
  #size = 0;

  /**
   * Matching pods by node for `selector` in `namespace`; `pods` enumerates
   * every pod with its node, used only the first time a selector is asked
   * about. The returned map is live until the next pod change.
   */
  counts(
    namespace: string,
    selector: LabelMatcher,
    pods: () => Iterable<[PodInfo, string]>,
  ): ReadonlyMap<string, number> {
    return this.#entry(namespace, selector, pods).byNode;
  }

  /**
   * Matching pods per value of `topologyKey`, summed over the known nodes
   * carrying that label (what spreading over zones asks for every pod, without
   * visiting each node). Live until the next pod change; kept up to date by
   * {@link update} and dropped by {@link invalidateDomains}.
   */
  domainCounts(
    namespace: string,
    selector: LabelMatcher,
    topologyKey: string,
    pods: () => Iterable<[PodInfo, string]>,
    labelOf: NodeLabelLookup,
  ): ReadonlyMap<string, number> {
    const entry = this.#entry(namespace, selector, pods);
    entry.byDomain ??= new Map();
    let domains = entry.byDomain.get(topologyKey);
    if (!domains) {
      domains = new Map();
      for (const [nodeName, n] of entry.byNode) {
        const value = labelOf(nodeName, topologyKey);
        if (value !== undefined) domains.set(value, (domains.get(value) ?? 0) + n);
      }
      entry.byDomain.set(topologyKey, domains);
    }
    return domains;
  }

  /** Forgets every per-domain count (a node came, went or changed labels); they are rebuilt when asked for. */
  invalidateDomains(): void {
    for (const byKey of this.#entries.values()) for (const entry of byKey.values()) entry.byDomain = undefined;
  }

  #entry(namespace: string, selector: LabelMatcher, pods: () => Iterable<[PodInfo, string]>): Entry {
    let byKey = this.#entries.get(namespace);
    const hit = byKey?.get(selector.key);
    if (hit) return hit;
    const entry: Entry = { selector, byNode: new Map() };
    for (const [info, nodeName] of pods()) {
      if (info.namespace === namespace) adjust(entry, info, nodeName, 1);
    }
    if (!byKey) {
      byKey = new Map();
      this.#entries.set(namespace, byKey);
    }
    byKey.set(selector.key, entry);
    if (++this.#size > MAX_ENTRIES) this.#evictOne();
    return entry;
  }

  /** Accounts a pod added to (`delta` 1) or removed from (`delta` -1) `nodeName`. */
  update(info: PodInfo, nodeName: string, delta: 1 | -1, labelOf?: NodeLabelLookup): void {
    const byKey = this.#entries.get(info.namespace);
    if (!byKey) return;
    for (const entry of byKey.values()) adjust(entry, info, nodeName, delta, labelOf);
  }

  #evictOne(): void {
    for (const [ns, byKey] of this.#entries) {
      const first = byKey.keys().next();
      if (first.done) continue;
      byKey.delete(first.value);
      if (byKey.size === 0) this.#entries.delete(ns);
      this.#size--;
      return;
    }
  }
}

function adjust(entry: Entry, info: PodInfo, nodeName: string, delta: 1 | -1, labelOf?: NodeLabelLookup): void {
  if (info.terminating || !entry.selector.matches(info.labels)) return;
  bump(entry.byNode, nodeName, delta);
  if (!entry.byDomain) return;
  if (!labelOf) {
    entry.byDomain = undefined;
    return;
  }
  for (const [key, domains] of entry.byDomain) {
    const value = labelOf(nodeName, key);
    if (value !== undefined) bump(domains, value, delta);
  }
}

function bump(counts: Map<string, number>, key: string, delta: number): void {
  const n = (counts.get(key) ?? 0) + delta;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}
