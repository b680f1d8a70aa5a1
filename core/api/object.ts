/**
 * The generic object shape every stored Kubernetes object has. Typed views
 * (`Pod`, `Deployment`, …) come from `kubernetes-types`; core code that works
 * on any kind uses `KubeObject`.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export type { ObjectMeta };

/** Any Kubernetes object as JSON: type meta, object meta and kind-specific fields. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Deep copy of a JSON object; core treats objects as immutable and copies before changing. */
export function clone<T>(obj: T): T {
  return structuredClone(obj);
}
