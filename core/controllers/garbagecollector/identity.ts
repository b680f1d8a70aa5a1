/**
 * How the garbage collector names objects and resolves ownerReferences.
 * Its work keys are `<storage resource>/<namespace>/<name>` (namespace empty
 * for cluster-scoped objects: `nodes//node-1`), so one key names one object
 * of any kind; `<key>/<uid>` asks for the dependents of the object with that
 * uid, which is gone, to be collected, and `sweep/<namespace>` for every
 * dependent of a namespace whose owners are gone. An ownerReference carries no namespace: a namespaced owner is
 * looked up in its dependent's namespace, a cluster-scoped one at cluster
 * scope — so an owner in another namespace is never found.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { findByKind, parseApiVersion, RESOURCES, type ResourceInfo, storageResource } from '../../api/resources.ts';

/** Every stored resource the collector watches (all served resources but the virtual `bindings`). */
export const COLLECTED_RESOURCES: readonly ResourceInfo[] = RESOURCES.filter((r) => r.resource !== 'bindings');

const BY_STORAGE = new Map(COLLECTED_RESOURCES.map((r) => [storageResource(r), r]));

/** One object as the collector addresses it. */
export interface ObjectId {
  info: ResourceInfo;
  namespace: string;
  name: string;
}

/** The work key of an object. */
export function formatKey(id: ObjectId): string {
  return `${storageResource(id.info)}/${id.info.namespaced ? id.namespace : ''}/${id.name}`;
}

/** The work key of a stored object of `resource` (a storage resource name). Undefined for resources not collected. */
export function keyOfObject(resource: string, obj: KubeObject): string | undefined {
  const info = BY_STORAGE.get(resource);
  if (!info) return undefined;
  return formatKey({ info, namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '' });
}

/** Parses a work key; undefined when malformed or of a resource not collected. */
export function parseKey(key: string): ObjectId | undefined {
  const parts = key.split('/');
  if (parts.length !== 3 || !parts[0] || !parts[2]) return undefined;
  const info = BY_STORAGE.get(parts[0]);
  if (!info || (info.namespaced && !parts[1]) || (!info.namespaced && parts[1])) return undefined;
  return { info, namespace: parts[1], name: parts[2] };
}

/** The key asking for the dependents of the gone object `uid` at `key`. */
export function sweepKey(key: string, uid: string): string {
  return `${key}/${uid}`;
}

/**
 * The key asking for every dependent in `namespace` whose owners are gone to
 * be collected ('' = every namespace and the cluster scope): what a deletion
 * rings when nothing in memory says which objects it owned.
 */
export function namespaceSweepKey(namespace: string): string {
  return `sweep/${namespace}`;
}

/** What a work key asks for; undefined when malformed. */
export type WorkKey = { id: ObjectId; goneUid?: string } | { sweepNamespace: string };

/** Parses an object key, a sweep key or a namespace sweep key. */
export function parseWorkKey(key: string): WorkKey | undefined {
  const parts = key.split('/');
  if (parts.length === 2 && parts[0] === 'sweep') return { sweepNamespace: parts[1] ?? '' };
  if (parts.length === 4 && parts[3]) {
    const id = parseKey(parts.slice(0, 3).join('/'));
    return id && { id, goneUid: parts[3] };
  }
  const id = parseKey(key);
  return id && { id };
}

/** The served resource an ownerReference's apiVersion and kind name (by group and kind), if any. */
export function ownerResource(ref: OwnerReference): ResourceInfo | undefined {
  const info = findByKind(parseApiVersion(ref.apiVersion ?? '').group, ref.kind ?? '');
  return info && info.resource !== 'bindings' ? info : undefined;
}

/**
 * Where the owner `ref` of a dependent in `namespace` ('' = cluster-scoped)
 * lives. `unresolvable`: the kind is not served; `invalid`: a cluster-scoped
 * dependent names a namespaced kind, which Kubernetes never resolves.
 */
export function resolveOwner(
  namespace: string,
  ref: OwnerReference,
): { owner: ObjectId } | { problem: 'unresolvable' | 'invalid' } {
  const info = ownerResource(ref);
  if (!info || !ref.name) return { problem: 'unresolvable' };
  if (info.namespaced && !namespace) return { problem: 'invalid' };
  return { owner: { info, namespace: info.namespaced ? namespace : '', name: ref.name } };
}

/** The work keys of the owners `obj` references (resolvable ones only). */
export function ownerKeysOf(obj: KubeObject | undefined): string[] {
  if (!obj) return [];
  const out: string[] = [];
  for (const ref of obj.metadata.ownerReferences ?? []) {
    const r = resolveOwner(obj.metadata.namespace ?? '', ref);
    if ('owner' in r) out.push(formatKey(r.owner));
  }
  return out;
}
