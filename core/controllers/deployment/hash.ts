/**
 * The `pod-template-hash` of a Deployment's pod template: FNV-32a over a
 * canonical JSON rendering of the template (plus the collision count), written
 * with Kubernetes' vowel-free "safe" alphabet so it never spells words.
 */
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';

/** The label (and selector key) carrying the template hash on ReplicaSets and their pods. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * JSON with object keys sorted at every level and null or undefined members
 * left out, so equal values render equally (kubectl sends a template's
 * `creationTimestamp: null`, which means the same as no timestamp).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The hash of `template` (and `collisionCount`, when set): a deterministic
 * string of up to 10 characters from the safe alphabet. Pure.
 */
export function podTemplateHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  const input = canonicalJson(template ?? {}) + (collisionCount ? `#${collisionCount}` : '');
  return [...String(fnv32a(input))].map((d) => SAFE_ALPHABET[d.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

/** `template` without the `pod-template-hash` label (a ReplicaSet's template as its Deployment wrote it). */
export function withoutHashLabel(template: PodTemplateSpec | undefined): PodTemplateSpec {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (!Object.keys(t.metadata.labels).length) delete t.metadata.labels;
  }
  return t;
}

/** Whether two pod templates are equal once the `pod-template-hash` label is ignored on both. */
export function templatesEqualIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHashLabel(a)) === canonicalJson(withoutHashLabel(b));
}
