/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), applied
 * the way the Kubernetes API server applies it to built-in kinds
 * (`k8s.io/apimachinery/pkg/util/strategicpatch`, server side):
 * - maps merge recursively and `null` deletes a key;
 * - lists whose field has `patchStrategy: merge` merge by their merge key
 *   (primitive merge lists such as `finalizers` take the union); every other
 *   list is replaced whole;
 * - directives: `$patch: replace|delete` on a map, `$patch: delete|replace`
 *   as a list element, `$retainKeys`, `$setElementOrder/<list>` and
 *   `$deleteFromPrimitiveList/<list>` — what `kubectl apply`, `kubectl patch`
 *   and `kubectl rollout restart` send.
 * Like Kubernetes, `$patch: merge` is rejected: its servers never implemented it.
 */
import { badRequest } from '../../errors/index.ts';
import { clone, type KubeObject } from '../object.ts';
import {
  type FieldPatchMeta,
  type GroupVersionKind,
  lookupField,
  type PatchSchema,
  strategicMergePatchUnsupported,
  strategicMergeSchemaFor,
} from './patch-meta.ts';
import {
  badArgKind,
  badPatchType,
  DELETE_FROM_PRIMITIVE_LIST,
  directiveTarget,
  discardNulls,
  isMap,
  type JsonMap,
  kindOf,
  noMergeKey,
  PATCH_DIRECTIVE,
  RETAIN_KEYS,
  removeDirectives,
  SET_ELEMENT_ORDER,
  show,
  smpError,
  stripForStorage,
} from './smp-directives.ts';
import {
  elementKind,
  findByKey,
  liveOrderAfterMerge,
  normalizeElementOrder,
  partitionByPresence,
  validateSetElementOrder,
} from './smp-order.ts';

/**
 * Applies a strategic merge patch to an object of the given kind and returns
 * the patched copy; neither input is modified.
 *
 * Throws a 415 StatusError for kinds without patch metadata (see
 * `isStrategicMergePatchSupported`) and a 400 BadRequest for a malformed
 * patch (a merge-list item without its merge key, a bad directive, a
 * `$setElementOrder` list that contradicts the patch, …). The result is not
 * validated: `$patch: replace` at the top can drop `metadata`.
 */
export function applyStrategicMergePatch(original: KubeObject, patch: unknown, gvk: GroupVersionKind): KubeObject {
  const schema = strategicMergeSchemaFor(gvk);
  if (schema === undefined) throw strategicMergePatchUnsupported(gvk);
  if (!isMap(patch)) throw badRequest(`a strategic merge patch must be a JSON object, not a ${kindOf(patch)}`);
  const merged = mergeMap(clone(original) as JsonMap, clone(patch), schema);
  stripForStorage(merged);
  return merged as KubeObject;
}

/** The non-`retainKeys` strategy of a field (`merge`, `replace` or none). */
function listOrMapStrategy(meta: FieldPatchMeta): string {
  const others = meta.strategies.filter((s) => s !== 'retainKeys');
  if (others.length > 1) throw smpError(`unexpected patch strategy: ${show(meta.strategies)}`);
  return others[0] ?? '';
}

/** Sets `out[key]` to patch content that has nothing live to merge with. */
function setFromPatch(out: JsonMap, key: string, value: unknown): void {
  discardNulls(value);
  const r = removeDirectives(value);
  if (r.keep) out[key] = r.value;
  else delete out[key];
}

/** Merges a patch map into `original` (mutated and returned). */
function mergeMap(original: JsonMap | undefined, patch: JsonMap, schema: PatchSchema): JsonMap {
  if (Object.hasOwn(patch, PATCH_DIRECTIVE)) {
    const directive = patch[PATCH_DIRECTIVE];
    if (directive === 'replace') {
      delete patch[PATCH_DIRECTIVE];
      return patch;
    }
    if (directive === 'delete') return {};
    throw badPatchType(directive, patch);
  }
  const out = original ?? {};
  applyRetainKeys(out, patch);
  mergeOrderedLists(out, patch, schema);

  for (const [patchKey, patchValue] of Object.entries(patch)) {
    // JSON may carry a "__proto__" key; assigning it would swap the object's prototype.
    if (patchKey === '__proto__') continue;
    let key = patchKey;
    let deleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = directiveTarget(patchKey, DELETE_FROM_PRIMITIVE_LIST);
      deleteList = true;
    }
    if (patchValue === null) {
      delete out[key];
      continue;
    }
    if (!Object.hasOwn(out, key) || kindOf(out[key]) !== kindOf(patchValue)) {
      // A deletion list for a list that is not there has nothing to delete.
      if (!deleteList) setFromPatch(out, key, patchValue);
      continue;
    }
    const current = out[key];
    if (isMap(current)) {
      const field = lookupField(schema, key);
      out[key] =
        listOrMapStrategy(field.meta) === 'replace'
          ? patchValue
          : mergeMap(current, patchValue as JsonMap, field.schema);
    } else if (Array.isArray(current)) {
      out[key] = mergeListField(current, patchValue as unknown[], lookupField(schema, key), deleteList);
    } else {
      out[key] = patchValue;
    }
  }
  return out;
}

/** `$retainKeys`: drops live keys the list does not name; every key the patch sets must be named. */
function applyRetainKeys(out: JsonMap, patch: JsonMap): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw smpError('invalid patch format of retainKeys');
  const keep = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw smpError('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
}

/**
 * `$setElementOrder/<list>`: merges `<list>` from the patch (if any) and puts
 * the result in the given order, server-only items interleaved by their live
 * position. Removes both keys from `patch`.
 */
function mergeOrderedLists(out: JsonMap, patch: JsonMap, schema: PatchSchema): void {
  for (const orderKey of Object.keys(patch)) {
    if (!orderKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[orderKey];
    delete patch[orderKey];
    if (!Array.isArray(order)) throw badArgKind('list', order);
    const key = directiveTarget(orderKey, SET_ELEMENT_ORDER);
    const hasLive = Object.hasOwn(out, key);
    const hasPatch = Object.hasOwn(patch, key);
    if (hasLive && !Array.isArray(out[key])) throw badArgKind('list', out[key]);
    if (hasPatch && !Array.isArray(patch[key])) throw badArgKind('list', patch[key]);
    const live = (hasLive ? out[key] : []) as unknown[];
    const patchList = (hasPatch ? patch[key] : []) as unknown[];
    const field = lookupField(schema, key);
    const mergeKey = field.meta.mergeKey ?? '';
    listOrMapStrategy(field.meta);
    validateSetElementOrder(patchList, order, mergeKey);

    let merged: unknown[];
    if (hasLive && hasPatch) merged = mergeListField(live, patchList, field, false);
    else if (hasLive) merged = live;
    else if (hasPatch) merged = removeDirectives(patchList).value as unknown[];
    else continue;

    const { present, absent } = partitionByPresence(merged, order, mergeKey);
    const kind = elementKind(live, patchList);
    const liveOrder =
      hasLive && hasPatch && kind === 'map' && listOrMapStrategy(field.meta) === 'merge'
        ? liveOrderAfterMerge(live, patchList, mergeKey)
        : live;
    out[key] = normalizeElementOrder(present, absent, order, liveOrder, mergeKey, kind);
    delete patch[key];
  }
}

/** Merges a patch list into a live list according to the field's strategy. */
function mergeListField(
  live: unknown[],
  patchList: unknown[],
  field: { meta: FieldPatchMeta; schema: PatchSchema },
  deleteList: boolean,
): unknown[] {
  if (listOrMapStrategy(field.meta) !== 'merge' && !deleteList) return patchList;
  return mergeList(live, patchList, field.schema, field.meta.mergeKey ?? '', deleteList);
}

/** Merges two lists of a merging field: by merge key for maps, as a set for primitives. */
function mergeList(
  live: unknown[],
  patchList: unknown[],
  schema: PatchSchema,
  mergeKey: string,
  deleteList: boolean,
): unknown[] {
  if (live.length === 0 && patchList.length === 0) return live;
  const kind = elementKind(live, patchList);
  let original = live;
  let patchItems = patchList;
  let merged: unknown[];
  if (kind !== 'map') {
    if (deleteList) return live.filter((v) => !patchList.includes(v));
    merged = [...new Set([...live, ...patchList])];
  } else {
    if (!mergeKey) throw smpError(`cannot merge lists without merge key for ${schema ?? 'unknown type'}`);
    ({ original, patchItems } = applyElementDirectives(live, patchList, mergeKey));
    merged = mergeByKey(original, patchItems, mergeKey, schema);
  }
  const { present, absent } = partitionByPresence(merged, patchItems, mergeKey);
  return normalizeElementOrder(present, absent, patchItems, original, mergeKey, kind);
}

/**
 * Applies `$patch` list elements: `delete` removes every live item with that
 * merge-key value, `replace` makes the patch's other items the whole list.
 */
function applyElementDirectives(
  live: unknown[],
  patchList: unknown[],
  mergeKey: string,
): { original: unknown[]; patchItems: unknown[] } {
  let original = live;
  const plain: unknown[] = [];
  let replace = false;
  for (const item of patchList) {
    const map = item as JsonMap;
    if (!Object.hasOwn(map, PATCH_DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = map[PATCH_DIRECTIVE];
    if (directive === 'delete') {
      if (!Object.hasOwn(map, mergeKey)) throw noMergeKey(map, mergeKey);
      const value = map[mergeKey];
      original = original.filter((v, i) => {
        if (!isMap(v)) throw smpError(`value for key ${i} is not a map`);
        return !(Object.hasOwn(v, mergeKey) && v[mergeKey] === value);
      });
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw smpError('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, map);
    }
  }
  return replace ? { original: plain, patchItems: [] } : { original, patchItems: plain };
}

/** Merges each patch item into the live item with the same merge-key value, or appends it. */
function mergeByKey(original: unknown[], patchItems: unknown[], mergeKey: string, schema: PatchSchema): unknown[] {
  const out = [...original];
  for (const item of patchItems) {
    const map = item as JsonMap;
    if (!Object.hasOwn(map, mergeKey)) throw noMergeKey(map, mergeKey);
    const at = findByKey(out, mergeKey, map[mergeKey]);
    if (at >= 0) out[at] = mergeMap(out[at] as JsonMap, map, schema);
    else out.push(item);
  }
  return out;
}
