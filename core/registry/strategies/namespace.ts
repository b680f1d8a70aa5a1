/**
 * Namespaces: phase Active on create; a delete marks the namespace Terminating
 * while `spec.finalizers` still lists `kubernetes` (the namespace controller
 * empties it and removes that finalizer through `namespaces/finalize`).
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import type { ResourceStrategy } from '../strategy.ts';

/** True while the namespace's own spec finalizers still hold it. */
export function namespaceBlocked(obj: KubeObject): boolean {
  return ((obj as unknown as Namespace).spec?.finalizers ?? []).length > 0;
}

/** The Namespace strategy. */
export const namespaceStrategy: ResourceStrategy = {
  statusSubresource: true,
  usesGeneration: false,
  returnDeletedObject: true,
  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers changes only through namespaces/finalize, as in Kubernetes.
    const finalizers = (old.spec as Namespace['spec'])?.finalizers;
    obj.spec = { ...((obj.spec as object) ?? {}) };
    if (finalizers) (obj.spec as { finalizers?: string[] }).finalizers = [...finalizers];
    else delete (obj.spec as { finalizers?: string[] }).finalizers;
  },
  blocksDeletion: namespaceBlocked,
  prepareForDelete(obj) {
    obj.status = { ...((obj.status as object) ?? {}), phase: 'Terminating' };
  },
};
