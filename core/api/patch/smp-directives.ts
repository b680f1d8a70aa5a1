/**
 * The vocabulary of strategic merge patch: the `$`-directives a patch may
 * carry, JSON kind tests, the errors Kubernetes' `strategicpatch` package
 * raises (as 400 BadRequest), and the clean-up that turns a merged map into
 * what decoding it into a typed object would keep.
 */
import { badRequest, type StatusError } from '../../errors/index.ts';

/** `$patch: replace|delete|merge` on a map or on a list element. */
export const PATCH_DIRECTIVE = '$patch';
/** `$retainKeys: [...]`: keys of the live map that survive the patch. */
export const RETAIN_KEYS = '$retainKeys';
/** `$setElementOrder/<list>: [...]`: the final order of a merging list. */
export const SET_ELEMENT_ORDER = '$setElementOrder';
/** `$deleteFromPrimitiveList/<list>: [...]`: values to remove from a primitive merging list. */
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

/** A JSON object. */
export type JsonMap = Record<string, unknown>;

/** The JSON kind of a value, as Go's `reflect.Kind` distinguishes decoded JSON. */
export type JsonKind = 'map' | 'list' | 'string' | 'number' | 'boolean' | 'null';

/** True for a JSON object (not an array, not null). */
export const isMap = (v: unknown): v is JsonMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON kind of `v`. */
export function kindOf(v: unknown): JsonKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  return typeof v as 'string' | 'number' | 'boolean';
}

/** Renders a value for an error message. */
export const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** A malformed strategic merge patch: 400 BadRequest with Kubernetes' wording. */
export const smpError = (message: string): StatusError => badRequest(message);

/** `map: {...} does not contain declared merge key: name`. */
export const noMergeKey = (m: unknown, key: string) =>
  smpError(`map: ${show(m)} does not contain declared merge key: ${key}`);

/** `unknown patch type: x in map: {...}`. */
export const badPatchType = (t: unknown, m: unknown) => smpError(`unknown patch type: ${show(t)} in map: ${show(m)}`);

/** A value of the wrong JSON kind where the patch needs a list or a map. */
export const badArgKind = (expected: JsonKind, actual: unknown) =>
  smpError(`expected a ${expected}, but received a ${kindOf(actual)}`);

/** True when `item` is a map carrying a `$patch` directive. */
export const hasPatchDirective = (item: unknown) => isMap(item) && Object.hasOwn(item, PATCH_DIRECTIVE);

/**
 * The list field a prefixed directive key names: `$setElementOrder/containers`
 * → `containers`. Throws the format error Kubernetes raises for that prefix.
 */
export function directiveTarget(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw smpError(
      prefix === DELETE_FROM_PRIMITIVE_LIST
        ? 'invalid patch format of primitive list'
        : 'invalid patch format of setElementOrder list',
    );
  }
  return key.slice(slash + 1);
}

/**
 * Drops every map that carries `$patch` (and the list elements and keys
 * holding one), as Kubernetes does before storing patch content that has
 * nothing in the live object to apply to. Returns `keep: false` when `value`
 * itself is such a map. Mutates `value`.
 */
export function removeDirectives(value: unknown): { value: unknown; keep: boolean } {
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    for (const item of value) {
      const r = removeDirectives(item);
      if (r.keep) kept.push(r.value);
    }
    return { value: kept, keep: true };
  }
  if (!isMap(value)) return { value, keep: true };
  if (Object.hasOwn(value, PATCH_DIRECTIVE)) return { value: undefined, keep: false };
  for (const [k, v] of Object.entries(value)) {
    const r = removeDirectives(v);
    if (r.keep) value[k] = r.value;
    else delete value[k];
  }
  return { value, keep: true };
}

/** Removes null-valued keys from every map inside `value` (Kubernetes' `discardNullValuesFromPatch`). Mutates. */
export function discardNulls(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) discardNulls(item);
  } else if (isMap(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === null) delete value[k];
      else discardNulls(v);
    }
  }
}

const isDirectiveKey = (k: string) =>
  k === PATCH_DIRECTIVE ||
  k === RETAIN_KEYS ||
  k.startsWith(`${SET_ELEMENT_ORDER}/`) ||
  k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`);

/**
 * Removes null-valued keys and leftover directive keys everywhere in a merged
 * object. Kubernetes leaves both in its merged map and loses them when it
 * decodes the map into the typed object; skube stores JSON, so it drops them
 * here. No API field name starts with `$`. Mutates.
 */
export function stripForStorage(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) stripForStorage(item);
  } else if (isMap(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === null || isDirectiveKey(k)) delete value[k];
      else stripForStorage(v);
    }
  }
}
