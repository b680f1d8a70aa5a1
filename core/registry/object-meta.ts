/**
 * Generic metadata handling on create and update, as Kubernetes'
 * `BeforeCreate`/`BeforeUpdate` do it: names from generateName, uid,
 * creationTimestamp, generation, and the system fields a client may not set
 * or change.
 */
import type { KubeObject } from '../api/object.ts';
import { rfc3339 } from '../api/time.ts';

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_GENERATE_NAME_PREFIX = 63 - 5;

/** `generateName` + 5 random characters from Kubernetes' alphabet, the prefix cut so the result fits 63 characters. */
export function generateName(prefix: string, random: () => number): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_CHARS[Math.floor(random() * NAME_CHARS.length)];
  return prefix.slice(0, MAX_GENERATE_NAME_PREFIX) + suffix;
}

/** Sets the fields the server owns on a new object. Mutates `obj` (a copy). */
export function fillCreateMeta(obj: KubeObject, opts: { uid: string; now: Date; usesGeneration: boolean }): void {
  const m = obj.metadata;
  m.uid = opts.uid;
  m.creationTimestamp = rfc3339(opts.now);
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.resourceVersion;
  delete m.selfLink;
  delete m.managedFields;
  if (opts.usesGeneration) m.generation = 1;
  else delete m.generation;
}

/** Restores the fields a client may not change on update from the stored object. Mutates `obj` (a copy). */
export function keepSystemMeta(obj: KubeObject, old: KubeObject): void {
  const m = obj.metadata;
  const o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  m.deletionTimestamp = o.deletionTimestamp;
  m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  m.generation = o.generation;
  delete m.selfLink;
  delete m.managedFields;
  if (m.deletionTimestamp === undefined) delete m.deletionTimestamp;
  if (m.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds;
  if (m.generation === undefined) delete m.generation;
}

/** Everything but metadata and status: what a generation bump compares. */
export function specOf(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** Deep equality of two JSON values, insensitive to object key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}
