/**
 * An in-memory index of the label selectors of one kind of owner (ReplicaSets,
 * Services), kept current from the owners' own watch events, so a change of
 * a pod that no owner references yet (an orphan to adopt, a pod a Service
 * selects) can be mapped to the owners it concerns without a store read.
 * A process that has not seen an owner yet misses it; the periodic resync
 * covers that (level-triggered, so a missed doorbell only delays).
 */
import type { KubeObject } from '../api/object.ts';
import type { LabelMatcher, Labels } from '../api/selectors/labels.ts';
import type { StoreEvent } from '../storage/store.ts';

/** The `namespace/name` key of a namespaced object. */
export function objectKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/** Splits a `namespace/name` key. */
export function splitKey(key: string): { namespace: string; name: string } {
  const at = key.indexOf('/');
  return { namespace: key.slice(0, at), name: key.slice(at + 1) };
}

/** Selectors of owners by key; `selectorOf` returns undefined for owners that select nothing. */
export class SelectorIndex {
  readonly #byKey = new Map<string, { namespace: string; matcher: LabelMatcher }>();

  constructor(private readonly selectorOf: (owner: KubeObject) => LabelMatcher | undefined) {}

  /** Records (or forgets, when `deleted`) one owner. */
  observe(owner: KubeObject, deleted = false): void {
    const key = objectKey(owner);
    const matcher = deleted ? undefined : this.selectorOf(owner);
    if (matcher) this.#byKey.set(key, { namespace: owner.metadata.namespace ?? '', matcher });
    else this.#byKey.delete(key);
  }

  /** Applies one watch event of an owner. */
  observeEvent(e: StoreEvent): void {
    this.observe(e.object, e.type === 'DELETED');
  }

  /** Keys of the owners in `namespace` whose selector matches any of `labelSets`. */
  matching(namespace: string, labelSets: Labels[]): string[] {
    const out: string[] = [];
    for (const [key, v] of this.#byKey) {
      if (v.namespace === namespace && labelSets.some((l) => v.matcher.matches(l))) out.push(key);
    }
    return out;
  }
}
