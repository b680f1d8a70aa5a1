/**
 * The garbage collector: re-reads one object by key (the event is only a
 * doorbell) and reconciles it in both of its roles. As a dependent, it is
 * collected when all its owners are gone (by uid), or when its owners wait
 * for it in a foreground deletion; references to gone or waiting owners are
 * dropped while a live owner remains. As an owner being deleted, its
 * dependents are orphaned (`orphan` finalizer) or collected first
 * (`foregroundDeletion`, the finalizer removed once no dependent with
 * `blockOwnerDeletion` remains); as an owner that is gone, its dependents
 * are collected. Every write is conditional on the uid that was read.
 */
import type { KubeObject } from '../../api/object.ts';
import { storageResource } from '../../api/resources.ts';
import type { Logger } from '../../apiserver/types.ts';
import { conflict, isConflict, isNotFound } from '../../errors/index.ts';
import { systemContext } from '../../registry/bootstrap.ts';
import { deleteObject, FINALIZER_FOREGROUND, FINALIZER_ORPHAN } from '../../registry/delete.ts';
import { type Registry, withTypeMeta } from '../../registry/registry.ts';
import type { Store } from '../../storage/store.ts';
import { ControllerEventRecorder } from '../events.ts';
import type { SyncResult } from '../runtime/controller.ts';
import type { DependentFinder } from './graph.ts';
import {
  COLLECTED_RESOURCES,
  formatKey,
  keyOfObject,
  type ObjectId,
  parseKey,
  parseWorkKey,
  resolveOwner,
} from './identity.ts';
import {
  isDeletingDependents,
  isOrphaning,
  type OwnerState,
  planDependent,
  planOwner,
  referencesTo,
  withoutBlockingReferences,
  withoutFinalizer,
  withoutReferences,
} from './plan.ts';

/** The component the collector's Events come from. */
export const GARBAGE_COLLECTOR = 'garbage-collector-controller';
/** How soon a foreground deletion still waiting on dependents is looked at again (their events usually come first). */
export const FOREGROUND_RECHECK_MS = 5000;

/** How many dependents of one foreground deletion are collected at once. */
const ATTEMPT_CONCURRENCY = 8;

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Dependencies of the garbage collector. */
export interface GarbageCollectorDeps {
  store: Store;
  registry: Registry;
  logger: Logger;
  now?: () => Date;
  /**
   * Where dependents are found. Default: an in-memory `OwnerGraph` fed by the
   * collector's own watches (in process). Runners without long-lived watches
   * pass `scanDependents(store)`.
   */
  finder?: DependentFinder;
}

/** A collector: its dependencies, where it finds dependents, and its event recorder (built by `createCollector`). */
export interface Collector {
  deps: GarbageCollectorDeps;
  finder: DependentFinder;
  /** Resolves once the finder is ready (the in-memory graph primed from the store). */
  prime(): Promise<void>;
  events: ControllerEventRecorder;
}

const ctx = (d: Collector) => systemContext(d.deps.now?.() ?? new Date());

async function read(d: Collector, id: ObjectId): Promise<KubeObject | undefined> {
  try {
    return await d.deps.registry.get(id.info, id.namespace, id.name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** Writes `mutate(current)` if the object still has `uid`; a gone object is fine. */
async function writeIf(d: Collector, id: ObjectId, uid: string, mutate: (o: KubeObject) => KubeObject): Promise<void> {
  try {
    await d.deps.registry.write(
      ctx(d),
      id.info,
      id.namespace,
      id.name,
      (cur) => {
        if (cur.metadata.uid !== uid) throw conflict({ group: id.info.group, resource: id.info.resource }, id.name);
        return mutate(cur);
      },
      '',
    );
  } catch (e) {
    if (!isNotFound(e) && !(isConflict(e) && (await read(d, id))?.metadata.uid !== uid)) throw e;
  }
}

/** The dependents the finder names for `owner` that still reference `uid`, re-read from the store. */
async function currentDependents(d: Collector, owner: ObjectId, uid: string): Promise<Map<KubeObject, ObjectId>> {
  const out = new Map<KubeObject, ObjectId>();
  for (const entry of await d.finder.dependentsOf(owner)) {
    if (entry.ownerUid !== uid) continue;
    const id = parseKey(entry.key);
    if (!id) continue;
    const obj = entry.object ? withTypeMeta(id.info, entry.object) : await read(d, id);
    if (obj && referencesTo(obj, uid).length) out.set(obj, id);
  }
  return out;
}

/** Reconciles `obj` (stored at `id`) as a dependent. Returns true when it deleted or marked it. */
async function collectDependent(
  d: Collector,
  id: ObjectId,
  obj: KubeObject,
  live = new Map<string, KubeObject>(),
): Promise<boolean> {
  const refs = obj.metadata.ownerReferences ?? [];
  if (!refs.length || obj.metadata.deletionTimestamp) return false;
  const owners = new Map<string, KubeObject | undefined>(live);
  const states: OwnerState[] = [];
  for (const ref of refs) {
    const r = resolveOwner(id.namespace, ref);
    if ('problem' in r) {
      states.push(r.problem);
      continue;
    }
    const ownerKey = formatKey(r.owner);
    if (!owners.has(ownerKey)) owners.set(ownerKey, await read(d, r.owner));
    const owner = owners.get(ownerKey);
    if (owner) live.set(ownerKey, owner);
    if (!owner || owner.metadata.uid !== ref.uid) states.push('absent');
    else states.push(isDeletingDependents(owner) ? 'waiting' : 'solid');
  }
  const uid = obj.metadata.uid ?? '';
  const mine = states.includes('waiting') ? [...(await currentDependents(d, id, uid)).keys()] : [];
  const action = planDependent(obj, states, mine.length > 0);
  const log = { controller: 'garbagecollector', key: formatKey(id), uid };
  switch (action.type) {
    case 'none':
      if (action.reason === 'invalid-owner-namespace') {
        await d.events.tryRecord({
          object: { apiVersion: obj.apiVersion, kind: obj.kind, name: id.name, namespace: 'default', uid },
          type: 'Warning',
          reason: 'OwnerRefInvalidNamespace',
          message: `ownerRef of a namespaced kind on cluster-scoped ${obj.kind} ${id.name} can never resolve; it is not collected`,
        });
      }
      return false;
    case 'remove-references':
      d.deps.logger.info({ ...log, owners: action.uids }, 'removing ownerReferences to gone or waiting owners');
      await writeIf(d, id, uid, (cur) => withoutReferences(cur, action.uids));
      return false;
    case 'delete':
      d.deps.logger.info({ ...log, propagationPolicy: action.policy }, 'collecting');
      // A dependent of ours waits on us while we wait on it: stop blocking our owners, or neither ever goes.
      if (action.policy === 'Foreground' && mine.some(isDeletingDependents)) {
        await writeIf(d, id, uid, withoutBlockingReferences);
      }
      try {
        await deleteObject(d.deps.registry, { garbageCollector: true }, ctx(d), id.info, id.namespace, id.name, {
          propagationPolicy: action.policy,
          preconditions: { uid },
        });
      } catch (e) {
        if (!isNotFound(e) && !isConflict(e)) throw e;
      }
      return true;
  }
}

/**
 * Reconciles every dependent of `namespace` ('' = everywhere). Owners found
 * alive are remembered for the sweep (one read per owner); absent ones are
 * read again each time, so an owner created meanwhile is never taken for gone.
 */
async function sweepNamespace(d: Collector, namespace: string): Promise<void> {
  const live = new Map<string, KubeObject>();
  for (const info of COLLECTED_RESOURCES) {
    if (namespace && !info.namespaced) continue;
    const resource = storageResource(info);
    const page = await d.deps.store.list(resource, namespace ? { namespace } : {});
    for (const obj of page.items) {
      if (!obj.metadata.ownerReferences?.length || obj.metadata.deletionTimestamp) continue;
      const id = parseKey(keyOfObject(resource, obj) ?? '');
      if (id) await collectDependent(d, id, withTypeMeta(info, obj), live);
    }
  }
}

/** Re-reads the dependent `key` and reconciles it. */
async function collectKey(d: Collector, key: string): Promise<void> {
  const id = parseKey(key);
  const obj = id && (await read(d, id));
  if (id && obj) await collectDependent(d, id, obj);
}

/** Reconciles `id` as an owner (`obj` undefined: it is gone). */
async function syncOwner(
  d: Collector,
  id: ObjectId,
  obj: KubeObject | undefined,
  sweep: boolean,
): Promise<SyncResult | undefined> {
  const uid = obj?.metadata.uid;
  const deleting = !!obj && (isOrphaning(obj) || isDeletingDependents(obj));
  // Dependents of a gone owner, or of an earlier object of the same name, dangle: collect them. Gone
  // owners are swept once, by the sweep key their deletion rang; a live one is checked when that is
  // free (the in-memory graph) or needed anyway (it is being deleted).
  if (sweep || deleting || (obj && d.finder.inMemory)) {
    for (const entry of await d.finder.dependentsOf(id)) if (entry.ownerUid !== uid) await collectKey(d, entry.key);
  }
  if (!obj || !deleting || !uid) return undefined;
  const dependents = await currentDependents(d, id, uid);
  const idOf = (dep: KubeObject) => dependents.get(dep) as ObjectId;
  const plan = planOwner(obj, [...dependents.keys()]);
  if (plan.type === 'orphan') {
    for (const dep of plan.strip)
      await writeIf(d, idOf(dep), dep.metadata.uid ?? '', (cur) => withoutReferences(cur, [uid]));
    await writeIf(d, id, uid, (cur) => withoutFinalizer(cur, FINALIZER_ORPHAN));
    return undefined;
  }
  if (plan.type !== 'foreground') return undefined;
  await forEachLimited(plan.attempt, ATTEMPT_CONCURRENCY, (dep) => collectDependent(d, idOf(dep), dep));
  let blocking = 0;
  for (const dep of plan.blocking) {
    const current = await read(d, idOf(dep));
    if (!current || current.metadata.uid !== dep.metadata.uid) continue;
    if (referencesTo(current, uid).some((r) => r.blockOwnerDeletion === true)) blocking++;
  }
  if (blocking > 0) return { requeueAfterMs: FOREGROUND_RECHECK_MS };
  await writeIf(d, id, uid, (cur) => withoutFinalizer(cur, FINALIZER_FOREGROUND));
  return undefined;
}

/**
 * Reconciles the object `key` (`<resource>/<namespace>/<name>`) in both its
 * roles; a sweep key (`<key>/<uid>`) also collects the dependents of `uid`,
 * and `sweep/<namespace>` every dependent of the namespace whose owners are
 * gone. Idempotent; throws to retry; a malformed key is logged and dropped.
 */
export async function syncGarbage(collector: Collector, key: string): Promise<SyncResult | undefined> {
  const parsed = parseWorkKey(key);
  if (!parsed) {
    collector.deps.logger.warn({ controller: 'garbagecollector', key }, 'malformed key');
    return undefined;
  }
  await collector.prime();
  // One sync's lookups may share one listing (a store-scan finder lists each namespace once).
  const d = { ...collector, finder: collector.finder.scoped?.() ?? collector.finder };
  if ('sweepNamespace' in parsed) {
    await sweepNamespace(d, parsed.sweepNamespace);
    return undefined;
  }
  const { id, goneUid } = parsed;
  let obj = await read(d, id);
  if (obj && (await collectDependent(d, id, obj))) obj = await read(d, id);
  return syncOwner(d, id, obj, goneUid !== undefined && goneUid !== obj?.metadata.uid);
}
