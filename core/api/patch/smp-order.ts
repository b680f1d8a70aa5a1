/**
 * List ordering for strategic merge patch, as Kubernetes' `strategicpatch`
 * does it: after a merge the items named in the patch (or in
 * `$setElementOrder`) keep the patch's order, the items only the server had
 * keep the live order, and the two runs are interleaved by the live order.
 * New items therefore land before the server-only items that follow them.
 */
import {
  badArgKind,
  hasPatchDirective,
  isMap,
  type JsonKind,
  kindOf,
  noMergeKey,
  PATCH_DIRECTIVE,
  show,
  smpError,
} from './smp-directives.ts';

/**
 * The common kind of the elements of some lists. Throws for lists of lists,
 * for mixed kinds and when no list has an element.
 */
export function elementKind(...lists: unknown[][]): JsonKind {
  let kind: JsonKind | undefined;
  for (const list of lists) {
    for (const item of list) {
      const k = kindOf(item);
      if (kind === undefined) {
        if (k === 'list') throw smpError('lists of lists are not supported');
        kind = k;
      } else if (k !== kind) {
        throw smpError(`list element types are not identical: ${show(lists)}`);
      }
    }
  }
  if (kind === undefined) throw smpError('no elements in any of the given slices');
  return kind;
}

/** The identity of a list item: its merge-key value for maps, itself for primitives. */
const identity = (item: unknown, mergeKey: string, kind: JsonKind) =>
  kind === 'map' ? (isMap(item) ? item[mergeKey] : undefined) : item;

/** Position of `item` in `list` by identity, or -1. */
function indexOf(list: readonly unknown[], item: unknown, mergeKey: string, kind: JsonKind): number {
  const id = identity(item, mergeKey, kind);
  return list.findIndex((v) => identity(v, mergeKey, kind) === id);
}

/** Finds the map in `list` whose `key` equals `value`. Throws when an element is not a map. */
export function findByKey(list: readonly unknown[], key: string, value: unknown): number {
  return list.findIndex((item, i) => {
    if (!isMap(item)) throw smpError(`value for key ${i} is not a map`);
    return Object.hasOwn(item, key) && item[key] === value;
  });
}

/** Throws unless every element of every list is a map carrying `mergeKey`. */
export function requireMergeKey(mergeKey: string, ...lists: (readonly unknown[])[]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isMap(item)) throw badArgKind('map', item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    }
  }
}

/**
 * Splits `merged` into the items present in `by` (compared by merge key, or by
 * value for primitives) and the rest, each in `merged` order.
 */
export function partitionByPresence(
  merged: readonly unknown[],
  by: readonly unknown[],
  mergeKey: string,
): { present: unknown[]; absent: unknown[] } {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of merged) {
    let found: boolean;
    if (mergeKey) {
      if (!isMap(item)) throw badArgKind('map', item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      found = findByKey(by, mergeKey, item[mergeKey]) >= 0;
    } else {
      found = by.includes(item);
    }
    (found ? present : absent).push(item);
  }
  return { present, absent };
}

/**
 * Sorts `items` by their position in `order`. Kubernetes treats two items as
 * ordered whenever either is missing from `order`; an insertion sort with the
 * same comparison gives the same result (Go's stable sort is an insertion
 * sort for the short lists patches carry). `$patch: delete` items go last.
 */
function sortByOrder(items: unknown[], order: readonly unknown[], mergeKey: string, kind: JsonKind): unknown[] {
  let toSort = items;
  let deletions: unknown[] = [];
  if (kind === 'map') {
    requireMergeKey(mergeKey, items, order);
    toSort = items.filter((i) => !(isMap(i) && i[PATCH_DIRECTIVE] === 'delete'));
    deletions = items.filter((i) => isMap(i) && i[PATCH_DIRECTIVE] === 'delete');
  }
  const less = (a: unknown, b: unknown) => {
    const ia = indexOf(order, a, mergeKey, kind);
    const ib = indexOf(order, b, mergeKey, kind);
    return ia >= 0 && ib >= 0 ? ia < ib : true;
  };
  const out = [...toSort];
  for (let i = 1; i < out.length; i++) {
    for (let j = i; j > 0 && less(out[j], out[j - 1]); j--) [out[j - 1], out[j]] = [out[j], out[j - 1]];
  }
  return [...out, ...deletions];
}

/**
 * Orders a merged list: `patchItems` by `patchOrder`, `serverOnly` by
 * `serverOrder`, then interleaves them. A server-only item goes before the
 * next patch item only when the live list had it there; patch items unknown
 * to the live list are taken first.
 */
export function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: JsonKind,
): unknown[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexOf(serverOrder, left[i], mergeKey, kind);
      const ri = indexOf(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/**
 * Checks that the items of a patch list appear in `$setElementOrder` and in
 * the same relative order (deletions and directive items aside).
 */
export function validateSetElementOrder(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string) {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey) {
    for (const item of patchList) if (!isMap(item)) throw badArgKind('map', item);
    items = patchList.filter((i) => (i as Record<string, unknown>)[PATCH_DIRECTIVE] !== 'delete');
  }
  const same = (a: unknown, b: unknown) => {
    if (!mergeKey) return a === b;
    if (!isMap(a)) throw badArgKind('map', a);
    if (!isMap(b)) throw badArgKind('map', b);
    if (!Object.hasOwn(a, mergeKey)) throw noMergeKey(a, mergeKey);
    if (!Object.hasOwn(b, mergeKey)) throw noMergeKey(b, mergeKey);
    return a[mergeKey] === b[mergeKey];
  };
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (hasPatchDirective(items[p])) {
      p++;
      continue;
    }
    if (same(items[p], order[o])) p++;
    o++;
  }
  if (p < items.length) {
    throw smpError(
      `The order in patch list:\n${show(patchList)}\n doesn't match $setElementOrder list:\n${show(order)}`,
    );
  }
}

/**
 * The live list as Kubernetes sees it after merging `patchList` into it, for
 * ordering under `$setElementOrder`. Kubernetes deletes and appends list items
 * in place, so the live list it then orders by holds the surviving items
 * shifted left, then the appended items, within the live list's length. The
 * resulting positions decide where server-only items land; upstream tests
 * pin this, so skube reproduces it.
 */
export function liveOrderAfterMerge(
  live: readonly unknown[],
  patchList: readonly unknown[],
  mergeKey: string,
): unknown[] {
  const backing = [...live];
  let length = backing.length;
  const matches = (item: unknown, value: unknown) =>
    isMap(item) && Object.hasOwn(item, mergeKey) && item[mergeKey] === value;
  let replaced = false;
  for (const item of patchList) {
    if (!isMap(item) || !Object.hasOwn(item, PATCH_DIRECTIVE)) continue;
    if (item[PATCH_DIRECTIVE] === 'replace') replaced = true;
    if (item[PATCH_DIRECTIVE] !== 'delete') continue;
    for (let i = backing.slice(0, length).findIndex((v) => matches(v, item[mergeKey])); i >= 0;) {
      backing.copyWithin(i, i + 1, length);
      length--;
      i = backing.slice(0, length).findIndex((v) => matches(v, item[mergeKey]));
    }
  }
  if (replaced) return backing;
  for (const item of patchList) {
    if (!isMap(item) || Object.hasOwn(item, PATCH_DIRECTIVE)) continue;
    if (backing.slice(0, length).some((v) => matches(v, item[mergeKey]))) continue;
    if (length >= live.length) break;
    backing[length++] = item;
  }
  return backing;
}
