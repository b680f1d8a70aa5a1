/**
 * Small readers for untrusted JSON: validation sees whatever a client sent,
 * so every accessor tolerates a wrong type instead of throwing. Also the
 * quantity helpers validation needs to compare requests and limits.
 */
import { parseQuantity, type Quantity, QuantityError } from '../quantity.ts';

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

/** Kubernetes' message for a malformed quantity. */
export const QUANTITY_FORMAT_ERROR = new QuantityError('').message;

/** The value as a resource quantity (a string such as `500m`, or a JSON number), or undefined when it is not one. */
export function quantity(v: unknown): Quantity | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  try {
    return parseQuantity(v);
  } catch {
    return undefined;
  }
}

const signed = (q: Quantity) => (q.negative ? -q.numerator : q.numerator);

/** Exact comparison of two quantities: negative, zero or positive as `a` is below, equal to or above `b`. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const diff = signed(a) * b.denominator - signed(b) * a.denominator;
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}

/** Whether a quantity is a whole number. */
export const isWholeQuantity = (q: Quantity) => q.numerator % q.denominator === 0n;
