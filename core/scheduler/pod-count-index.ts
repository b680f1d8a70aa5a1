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
}

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
    let byKey = this.#entries.get(namespace);
    const hit = byKey?.get(selector.key);
    if (hit) return hit.byNode;
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
    return entry.byNode;
  }

  /** Accounts a pod added to (`delta` 1) or removed from (`delta` -1) `nodeName`. */
  update(info: PodInfo, nodeName: string, delta: 1 | -1): void {
    const byKey = this.#entries.get(info.namespace);
    if (!byKey) return;
    for (const entry of byKey.values()) adjust(entry, info, nodeName, delta);
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

function adjust(entry: Entry, info: PodInfo, nodeName: string, delta: 1 | -1): void {
  if (info.terminating || !entry.selector.matches(info.labels)) return;
  const n = (entry.byNode.get(nodeName) ?? 0) + delta;
  if (n > 0) entry.byNode.set(nodeName, n);
  else entry.byNode.delete(nodeName);
}
