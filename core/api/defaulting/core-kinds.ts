/**
 * Defaulting of the small core/v1 kinds: Namespace (finalizer, phase and the
 * `kubernetes.io/metadata.name` label), Secret type, Endpoints port
 * protocols and a Node's allocatable resources.
 */
import { child, defaultString, items, type Json, optional } from './fields.ts';

/** The label every Namespace carries with its own name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Applies Namespace defaults in place. The `kubernetes` finalizer is what
 * Kubernetes' strategy adds on create; it is added only when
 * `spec.finalizers` is absent and the namespace is not being deleted, so the
 * namespace controller's removal of it is never undone.
 */
export function defaultNamespace(ns: Json): void {
  const meta = child(ns, 'metadata');
  if (typeof meta.name === 'string' && meta.name) {
    meta.labels = { ...(optional(meta, 'labels') ?? {}), [NAMESPACE_NAME_LABEL]: meta.name };
  }
  const spec = child(ns, 'spec');
  if ((spec.finalizers === undefined || spec.finalizers === null) && !meta.deletionTimestamp)
    spec.finalizers = ['kubernetes'];
  defaultString(child(ns, 'status'), 'phase', 'Active');
}

/** Applies Secret defaults in place. */
export function defaultSecret(secret: Json): void {
  defaultString(secret, 'type', 'Opaque');
}

/** Applies Endpoints defaults in place. */
export function defaultEndpoints(ep: Json): void {
  for (const subset of items(ep, 'subsets'))
    for (const port of items(subset, 'ports')) defaultString(port, 'protocol', 'TCP');
}

/** Applies Node defaults in place: allocatable defaults to capacity. */
export function defaultNode(node: Json): void {
  const status = optional(node, 'status');
  const capacity = optional(status, 'capacity');
  if (status && capacity && !optional(status, 'allocatable')) status.allocatable = { ...capacity };
}
