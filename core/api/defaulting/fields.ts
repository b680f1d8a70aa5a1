/**
 * Defaulting primitives that mirror how Go decodes a Kubernetes object:
 * a pointer field is unset when absent or null (an explicit 0, false or ""
 * is kept), a plain string or int field is unset when absent, null or its
 * zero value ("" or 0), which Kubernetes' defaulters then replace.
 */

/** A JSON object being defaulted (always a private copy). */
export type Json = Record<string, any>;

/** Sets `o[key]` when it is absent or null (a Go pointer field). */
export function defaultPointer(o: Json, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/** Sets `o[key]` when it is absent, null or "" (a Go string field). */
export function defaultString(o: Json, key: string, value: string): void {
  if (o[key] === undefined || o[key] === null || o[key] === '') o[key] = value;
}

/** Sets `o[key]` when it is absent, null or 0 (a Go int field). */
export function defaultInt(o: Json, key: string, value: number): void {
  if (o[key] === undefined || o[key] === null || o[key] === 0) o[key] = value;
}

/** The object at `o[key]`, created empty when missing (a Go struct field). */
export function child(o: Json, key: string): Json {
  const v = o[key];
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
  o[key] = {};
  return o[key];
}

/** The object at `o[key]` when it is one, else undefined (an unset Go pointer to a struct). */
export function optional(o: Json | undefined, key: string): Json | undefined {
  const v = o?.[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

/** The objects of the array at `o[key]` (skipping anything that is not an object). */
export function items(o: Json | undefined, key: string): Json[] {
  const v = o?.[key];
  return Array.isArray(v) ? v.filter((x) => x !== null && typeof x === 'object' && !Array.isArray(x)) : [];
}
