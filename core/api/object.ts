/**
 * The generic object shape every stored Kubernetes object has. Typed views
 * (`Pod`, `Deployment`, …) come from `kubernetes-types`; core code that works
 * on any kind uses `KubeObject`.
 */
import type { ObjectMeta as ReadonlyObjectMeta } from 'kubernetes-types/meta/v1.js';

/** `metav1.ObjectMeta` with the server-owned fields writable (the server is what sets them). */
export type ObjectMeta = { -readonly [K in keyof ReadonlyObjectMeta]: ReadonlyObjectMeta[K] };

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
