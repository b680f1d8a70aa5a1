/**
 * Where the collector finds an owner's dependents. Kubernetes' collector
 * keeps a graph of every object's ownerReferences built from its informers;
 * `OwnerGraph` is that index, fed by the collector's own watch events (a
 * doorbell index: syncs re-read every object it names, so a stale entry
 * costs a read, never a wrong delete). `scanDependents` finds the same by
 * listing the store, for runners without long-lived watches (AWS functions,
 * where stream consumer and queue consumer are different processes).
 */
import type { KubeObject } from '../../api/object.ts';
import { storageResource } from '../../api/resources.ts';
import type { Store, StoreEvent } from '../../storage/store.ts';
import { COLLECTED_RESOURCES, type ObjectId, formatKey, keyOfObject, resolveOwner } from './identity.ts';

/** One dependent of an owner: its work key, the owner uid its reference names, and the object when just read. */
export interface DependentEntry {
  key: string;
  ownerUid: string;
  /** The dependent as a listing just returned it (a finder that reads the store); else callers read it. */
  object?: KubeObject;
}

/** Finds the objects whose ownerReferences name an owner key. May be stale or over-inclusive: callers re-read. */
export interface DependentFinder {
  dependentsOf(owner: ObjectId): Promise<DependentEntry[]>;
  /** True when lookups cost no store reads (the in-memory graph), so syncs may look at every owner. */
  readonly inMemory: boolean;
  /** A finder for one sync that may answer every lookup from one read of the store. */
  scoped?(): DependentFinder;
}

function edges(obj: KubeObject): { owner: string; uid: string }[] {
  const out: { owner: string; uid: string }[] = [];
  for (const ref of obj.metadata.ownerReferences ?? []) {
    const r = resolveOwner(obj.metadata.namespace ?? '', ref);
    if ('owner' in r) out.push({ owner: formatKey(r.owner), uid: ref.uid ?? '' });
  }
  return out;
}

/** The in-memory index of dependents by owner key. Not thread-safe; one per controller. */
export class OwnerGraph implements DependentFinder {
  readonly inMemory = true;
  /** owner key → dependent key → uid the reference names. */
  readonly #dependents = new Map<string, Map<string, string>>();
  /** dependent key → owner keys it was last seen referencing. */
  readonly #owners = new Map<string, string[]>();

  /** Records the current state of one object of storage resource `resource` (or forgets it when `deleted`). */
  observe(resource: string, obj: KubeObject, deleted = false): void {
    const key = keyOfObject(resource, obj);
    if (!key) return;
    for (const owner of this.#owners.get(key) ?? []) {
      const deps = this.#dependents.get(owner);
      deps?.delete(key);
      if (deps?.size === 0) this.#dependents.delete(owner);
    }
    this.#owners.delete(key);
    if (deleted) return;
    const out = edges(obj);
    if (!out.length) return;
    for (const e of out) {
      let deps = this.#dependents.get(e.owner);
      if (!deps) this.#dependents.set(e.owner, (deps = new Map()));
      deps.set(key, e.uid);
    }
    this.#owners.set(
      key,
      out.map((e) => e.owner),
    );
  }

  /** Applies one watch event of storage resource `resource`. */
  observeEvent(resource: string, e: StoreEvent): void {
    this.observe(resource, e.object, e.type === 'DELETED');
  }

  /** Whether any object is known to reference `ownerKey`. */
  hasDependents(ownerKey: string): boolean {
    return (this.#dependents.get(ownerKey)?.size ?? 0) > 0;
  }

  dependentsOf(owner: ObjectId): Promise<DependentEntry[]> {
    const deps = this.#dependents.get(formatKey(owner));
    return Promise.resolve([...(deps ?? [])].map(([key, ownerUid]) => ({ key, ownerUid })));
  }
}

/** Every edge of a listing, indexed by owner key. */
async function indexListing(store: Store, namespace: string | undefined): Promise<Map<string, DependentEntry[]>> {
  const index = new Map<string, DependentEntry[]>();
  for (const info of COLLECTED_RESOURCES) {
    if (namespace !== undefined && !info.namespaced) continue;
    const resource = storageResource(info);
    const page = await store.list(resource, namespace !== undefined ? { namespace } : {});
    for (const obj of page.items) {
      const key = keyOfObject(resource, obj);
      if (!key) continue;
      for (const e of edges(obj)) {
        let list = index.get(e.owner);
        if (!list) index.set(e.owner, (list = []));
        list.push({ key, ownerUid: e.uid, object: obj });
      }
    }
  }
  return index;
}

/**
 * A finder that lists the store: every namespaced resource of the owner's
 * namespace, or for a cluster-scoped owner every resource everywhere. Cost
 * grows with the namespace, not with the dependents. `scoped()` gives a
 * finder that lists each scope once for its lifetime (one sync).
 */
export function scanDependents(
  store: Store,
  memo?: Map<string, Promise<Map<string, DependentEntry[]>>>,
): DependentFinder {
  return {
    inMemory: false,
    async dependentsOf(owner) {
      const namespace = owner.info.namespaced ? owner.namespace : undefined;
      const scope = namespace ?? '\u0000all';
      let index = memo?.get(scope);
      if (!index) {
        index = indexListing(store, namespace);
        memo?.set(scope, index);
      }
      return (await index).get(formatKey(owner)) ?? [];
    },
    scoped: () => scanDependents(store, new Map()),
  };
}
