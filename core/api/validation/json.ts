/**
 * Small readers for untrusted JSON: validation sees whatever a client sent,
 * so every accessor tolerates a wrong type instead of throwing. Also the
 * resource-quantity parser validation needs to compare requests and limits.
 */

/** A JSON object as validation reads it. */
export type Json = Record<string, any>;

/** The value as an object, or undefined when it is not a plain object. */
export function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

/** The value as an array, or an empty array. */
export function list(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/** The value as a string, or '' (Go's zero value). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The entries of a string map, skipping nothing (values are checked by the caller). */
export function entries(v: unknown): [string, any][] {
  const o = obj(v);
  return o ? Object.entries(o) : [];
}

/** A map key in a field path, as Kubernetes prints it: `data[key]`. */
export const keyPath = (parent: string, key: string) => `${parent}[${key}]`;

/** Deep equality of JSON values; object key order is ignored. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  const oa = obj(a);
  const ob = obj(b);
  if (!oa || !ob) return false;
  // An absent key and an explicit null are the same to a Go decoder.
  const keys = new Set([...Object.keys(oa), ...Object.keys(ob)]);
  for (const k of keys) {
    const x = oa[k] ?? undefined;
    const y = ob[k] ?? undefined;
    if (!jsonEqual(x, y)) return false;
  }
  return true;
}

const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
/** Kubernetes' message for a malformed quantity. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/**
 * The numeric value of a resource quantity (`500m`, `1Gi`, `2e3`, or a JSON
 * number), or undefined when it is not a valid quantity. Precision is that
 * of a double, enough for comparing requests with limits.
 */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = QUANTITY_RE.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (Number.isNaN(n)) return undefined;
  const suffix = m[2];
  if (suffix in SUFFIX) return n * SUFFIX[suffix];
  const exp = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
  return exp ? n * 10 ** Number(exp[1]) : undefined;
}
