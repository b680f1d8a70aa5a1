/**
 * The pure half of the garbage collector, after Kubernetes' own: what to do
 * with a dependent given what each of its owners turned out to be, and what
 * to do for an owner being deleted with the `orphan` or `foregroundDeletion`
 * finalizer given its current dependents.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { FINALIZER_FOREGROUND, FINALIZER_ORPHAN, type PropagationPolicy } from '../../registry/delete.ts';

/**
 * What one ownerReference resolved to. `absent`: no object of that name, or
 * one with another uid (dangling); `waiting`: the owner is being deleted in
 * the foreground; `solid`: any other existing owner; `unresolvable`: the kind
 * is not served; `invalid`: a cluster-scoped dependent names a namespaced kind.
 */
export type OwnerState = 'absent' | 'solid' | 'waiting' | 'unresolvable' | 'invalid';

/** What to do with one dependent. */
export type DependentAction =
  | { type: 'none'; reason: 'no-owners' | 'being-deleted' | 'solid' | 'unresolvable' | 'invalid-owner-namespace' }
  /** Keep the object; drop its references to these owner uids (dangling, or owners waiting on their dependents). */
  | { type: 'remove-references'; uids: string[] }
  /** Collect the object with this propagation. */
  | { type: 'delete'; policy: PropagationPolicy };

/** What to do for an owner. */
export type OwnerPlan =
  | { type: 'none' }
  /** Remove the owner's references from `strip`, then the `orphan` finalizer. */
  | { type: 'orphan'; strip: KubeObject[] }
  /**
   * Collect `attempt` (dependents not yet being deleted); once `blocking`
   * (dependents whose reference has `blockOwnerDeletion`) is empty, remove
   * the `foregroundDeletion` finalizer.
   */
  | { type: 'foreground'; attempt: KubeObject[]; blocking: KubeObject[] };

const hasFinalizer = (obj: KubeObject, f: string) => (obj.metadata.finalizers ?? []).includes(f);

/** Whether `obj` is being deleted and waits for its dependents (foreground deletion). */
export function isDeletingDependents(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp && hasFinalizer(obj, FINALIZER_FOREGROUND);
}

/** Whether `obj` is being deleted with its dependents to be orphaned. */
export function isOrphaning(obj: KubeObject): boolean {
  return !!obj.metadata.deletionTimestamp && hasFinalizer(obj, FINALIZER_ORPHAN);
}

/** The ownerReferences of `obj` naming `uid`. */
export function referencesTo(obj: KubeObject, uid: string): OwnerReference[] {
  return (obj.metadata.ownerReferences ?? []).filter((r) => r.uid === uid);
}

/** `obj` without its ownerReferences to any of `uids` (the field dropped when none remain). Pure. */
export function withoutReferences(obj: KubeObject, uids: readonly string[]): KubeObject {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => !uids.includes(r.uid ?? ''));
  const { ownerReferences: _dropped, ...rest } = obj.metadata;
  return { ...obj, metadata: refs.length ? { ...rest, ownerReferences: refs } : rest };
}

/** `obj` with `blockOwnerDeletion` false on every reference that had it true (breaks foreground cycles). Pure. */
export function withoutBlockingReferences(obj: KubeObject): KubeObject {
  const refs = (obj.metadata.ownerReferences ?? []).map((r) =>
    r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r,
  );
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: refs } };
}

/** `obj` without finalizer `f`. Pure. */
export function withoutFinalizer(obj: KubeObject, f: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, finalizers: (obj.metadata.finalizers ?? []).filter((x) => x !== f) } };
}

/**
 * Plans one dependent. `owners[i]` is what `ownerReferences[i]` resolved to;
 * `hasDependents` says whether the dependent owns objects itself (then it
 * waits for them when an owner waits for it). An object already being
 * deleted is left to its deletion, as Kubernetes' "one-way trip".
 */
export function planDependent(obj: KubeObject, owners: readonly OwnerState[], hasDependents: boolean): DependentAction {
  const refs = obj.metadata.ownerReferences ?? [];
  if (obj.metadata.deletionTimestamp) return { type: 'none', reason: 'being-deleted' };
  if (!refs.length) return { type: 'none', reason: 'no-owners' };
  if (owners.includes('invalid')) return { type: 'none', reason: 'invalid-owner-namespace' };
  if (owners.includes('unresolvable')) return { type: 'none', reason: 'unresolvable' };
  const uidsIn = (state: OwnerState) => refs.filter((_, i) => owners[i] === state).map((r) => r.uid ?? '');
  const dangling = uidsIn('absent');
  const waiting = uidsIn('waiting');
  if (owners.includes('solid')) {
    if (!dangling.length && !waiting.length) return { type: 'none', reason: 'solid' };
    return { type: 'remove-references', uids: [...new Set([...dangling, ...waiting])] };
  }
  if (waiting.length && hasDependents) return { type: 'delete', policy: 'Foreground' };
  if (hasFinalizer(obj, FINALIZER_ORPHAN)) return { type: 'delete', policy: 'Orphan' };
  if (hasFinalizer(obj, FINALIZER_FOREGROUND)) return { type: 'delete', policy: 'Foreground' };
  return { type: 'delete', policy: 'Background' };
}

/**
 * Plans one owner from its current dependents (objects whose references name
 * its uid). Only an owner being deleted with a propagation finalizer has
 * work; `orphan` goes first should both be present.
 */
export function planOwner(owner: KubeObject, dependents: readonly KubeObject[]): OwnerPlan {
  const uid = owner.metadata.uid ?? '';
  const mine = dependents.filter((d) => referencesTo(d, uid).length > 0);
  if (isOrphaning(owner)) return { type: 'orphan', strip: mine };
  if (!isDeletingDependents(owner)) return { type: 'none' };
  return {
    type: 'foreground',
    attempt: mine.filter((d) => !d.metadata.deletionTimestamp),
    blocking: mine.filter((d) => referencesTo(d, uid).some((r) => r.blockOwnerDeletion === true)),
  };
}
