/**
 * The garbage collector's ControllerSpec: it watches every collected
 * resource; a change rings for the object itself when it may need
 * collecting (new or changed ownerReferences, a propagation finalizer to
 * honour, a deletion its dependents must follow) and for the owners it
 * names when they may be waiting on it (it went away, or its references
 * changed). The resync lists everything with ownerReferences or a
 * propagation finalizer.
 */
import type { KubeObject } from '../../api/object.ts';
import { storageResource } from '../../api/resources.ts';
import { jsonEqual } from '../../registry/object-meta.ts';
import type { Store, StoreEvent } from '../../storage/store.ts';
import { ControllerEventRecorder } from '../events.ts';
import { type ControllerSpec, type RunningController, startController } from '../runtime/controller.ts';
import { OwnerGraph } from './graph.ts';
import { COLLECTED_RESOURCES, keyOfObject, namespaceSweepKey, ownerKeysOf, sweepKey } from './identity.ts';
import { isDeletingDependents, isOrphaning } from './plan.ts';
import { type Collector, GARBAGE_COLLECTOR, type GarbageCollectorDeps, syncGarbage } from './sync.ts';

/** The controller's name (work keys, logs). */
export const GARBAGE_COLLECTOR_NAME = 'garbagecollector';

type Listing = { resource: string; items: KubeObject[] }[];

const listAll = (store: Store): Promise<Listing> =>
  Promise.all(
    COLLECTED_RESOURCES.map(async (info) => {
      const resource = storageResource(info);
      return { resource, items: (await store.list(resource)).items };
    }),
  );

const refsOf = (obj: KubeObject | undefined) => obj?.metadata.ownerReferences ?? [];

/** Whether the collector has work on `obj` by itself (references to check, or a propagation finalizer). */
const needsLook = (obj: KubeObject) => refsOf(obj).length > 0 || isOrphaning(obj) || isDeletingDependents(obj);

/** A collector whose graph, when it has one, is kept current from watch events. */
export interface WatchedCollector extends Collector {
  /** The in-memory graph (absent when `deps.finder` was given). */
  graph?: OwnerGraph;
  /** Applies one watch event to the graph. */
  observe(resource: string, e: StoreEvent): void;
  /** Primes the graph from a listing the caller already made (once; later calls do nothing). */
  primeWith(listing: Listing): void;
}

/** Builds a collector over `deps`: the given finder, or an in-memory graph primed from the store on first use. */
export function createCollector(deps: GarbageCollectorDeps): WatchedCollector {
  const graph = deps.finder ? undefined : new OwnerGraph();
  // Objects whose events arrived while priming: an older listing must not overwrite what the event said.
  const seen = new Set<string>();
  let primed: Promise<void> | undefined;
  let done = false;
  const primeWith = (listing: Listing) => {
    if (!graph || done) return;
    for (const { resource, items } of listing) {
      for (const obj of items) if (!seen.has(keyOfObject(resource, obj) ?? '')) graph.observe(resource, obj);
    }
    seen.clear();
    done = true;
  };
  return {
    deps,
    graph,
    finder: deps.finder ?? (graph as OwnerGraph),
    events: new ControllerEventRecorder(deps.registry, GARBAGE_COLLECTOR, deps.now ?? (() => new Date())),
    prime() {
      if (!graph) return Promise.resolve();
      primed ??= listAll(deps.store)
        .then(primeWith)
        .catch((e) => {
          primed = undefined;
          throw e;
        });
      return primed;
    },
    primeWith(listing) {
      if (primed) return;
      primed = Promise.resolve();
      primeWith(listing);
    },
    observe(resource, e) {
      if (!graph) return;
      if (!done) seen.add(keyOfObject(resource, e.object) ?? '');
      graph.observeEvent(resource, e);
    },
  };
}

/** The keys one change of `resource` rings for. Updates the collector's graph first. Pure but for the graph. */
export function garbageKeys(c: WatchedCollector, resource: string, e: StoreEvent): string[] {
  const self = keyOfObject(resource, e.object);
  if (!self) return [];
  c.observe(resource, e);
  const keys = new Set<string>();
  const refsChanged = !jsonEqual(refsOf(e.prevObject), refsOf(e.object));
  if (e.type === 'DELETED') {
    // Without a graph any deleted object may have had dependents: one sweep of the namespace (of
    // everything, for a cluster-scoped object) serves a burst of deletions.
    if (c.graph?.hasDependents(self)) keys.add(sweepKey(self, e.object.metadata.uid ?? ''));
    else if (!c.graph) keys.add(namespaceSweepKey(e.object.metadata.namespace ?? ''));
    // Owners in a foreground deletion may have been waiting for this one.
    for (const k of ownerKeysOf(e.object)) keys.add(k);
    return [...keys];
  }
  if (isOrphaning(e.object) || isDeletingDependents(e.object)) keys.add(self);
  if (refsOf(e.object).length && (e.type === 'ADDED' || refsChanged)) keys.add(self);
  // A new object with the name of one that had dependents: their references dangle.
  if (e.type === 'ADDED' && c.graph?.hasDependents(self)) keys.add(self);
  // A new dependent needs no owner woken: its own sync deals with an owner waiting on it.
  if (refsChanged && e.type !== 'ADDED') {
    for (const k of [...ownerKeysOf(e.prevObject), ...ownerKeysOf(e.object)]) keys.add(k);
  }
  return [...keys];
}

/** The garbage collector's spec over `deps` (see `GarbageCollectorDeps.finder`). */
export function garbageCollectorSpec(deps: GarbageCollectorDeps): ControllerSpec {
  const c = createCollector(deps);
  return {
    name: GARBAGE_COLLECTOR_NAME,
    watches: COLLECTED_RESOURCES.map((info) => {
      const resource = storageResource(info);
      return { resource, keys: (e: StoreEvent) => garbageKeys(c, resource, e) };
    }),
    sync: (key) => syncGarbage(c, key),
    initialKeys: async () => {
      const listing = await listAll(deps.store);
      c.primeWith(listing);
      const keys: string[] = [];
      for (const { resource, items } of listing) {
        for (const obj of items) {
          const key = keyOfObject(resource, obj);
          if (key && needsLook(obj)) keys.push(key);
        }
      }
      return keys;
    },
  };
}

/** Starts the garbage collector in process, with its in-memory graph. */
export function startGarbageCollector(deps: GarbageCollectorDeps): Promise<RunningController> {
  return startController(deps.store, garbageCollectorSpec(deps), deps.logger);
}
