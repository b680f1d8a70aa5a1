/**
 * DELETE semantics: preconditions, graceful deletion (`deletionTimestamp` +
 * `deletionGracePeriodSeconds`), finalizers (an object with finalizers is only
 * marked, and disappears when the last one is removed), and the propagation
 * policy finalizers the garbage collector acts on (`orphan`,
 * `foregroundDeletion`), set from DeleteOptions as Kubernetes' generic
 * registry does.
 */
import { clone, type KubeObject } from '../api/object.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { rfc3339 } from '../api/time.ts';
import { badRequest, conflict, field, invalid } from '../errors/index.ts';
import { isStorageError } from '../storage/errors.ts';
import type { Registry } from './registry.ts';
import { withTypeMeta } from './registry.ts';
import { toStatusError } from './storage-errors.ts';
import { strategyFor } from './strategies/index.ts';
import type { RequestContext } from './strategy.ts';

/** How dependents of a deleted object are treated. */
export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

/** The `DeleteOptions` fields skube honours (from the body or the query). */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
  /** Legacy boolean; `false` means Background, `true` Orphan. May not be sent with `propagationPolicy`. */
  orphanDependents?: boolean;
}

/** The outcome of a delete: the object, and whether it is gone or only marked. */
export interface DeleteResult {
  object: KubeObject;
  deleted: boolean;
}

/** Finalizer names of the garbage collector's propagation policies. */
export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

/** Whether the cluster runs a garbage collector that honours Orphan/Foreground finalizers. */
export interface DeleteDeps {
  garbageCollector: boolean;
}

/**
 * The propagation a DELETE without options gives objects of `info`. Every
 * kind skube serves (core/v1, apps/v1, coordination.k8s.io/v1) defaults to
 * Background in Kubernetes; Orphan was the default only of retired versions
 * (extensions/v1beta1, apps/v1beta1 and v1beta2) and of batch/v1 Jobs, none
 * of which are served.
 */
export function defaultPropagationPolicy(_info: ResourceInfo): PropagationPolicy {
  return 'Background';
}

/** Refuses DeleteOptions Kubernetes refuses (422, as its `ValidateDeleteOptions`). */
function validateOptions(options: DeleteOptions): void {
  if (options.orphanDependents !== undefined && options.propagationPolicy !== undefined) {
    throw invalid({ group: 'meta.k8s.io', kind: 'DeleteOptions' }, '', [
      field.invalid(
        'propagationPolicy',
        options.propagationPolicy,
        'orphanDependents and deletionPropagation cannot be both set',
      ),
    ]);
  }
  if (options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0) {
    throw badRequest('gracePeriodSeconds must be greater than or equal to 0');
  }
}

/**
 * The finalizers an object has after a DELETE with `options`: an explicit
 * policy (or the legacy `orphanDependents`) wins, then a propagation
 * finalizer the object already has, then the kind's default. Pure; returns
 * `finalizers` itself when nothing changes.
 */
export function propagationFinalizers(
  finalizers: readonly string[],
  options: DeleteOptions,
  defaultPolicy: PropagationPolicy,
): readonly string[] {
  let policy: PropagationPolicy | undefined = options.propagationPolicy;
  if (options.orphanDependents !== undefined) policy = options.orphanDependents ? 'Orphan' : 'Background';
  if (!policy) {
    if (finalizers.includes(FINALIZER_ORPHAN)) policy = 'Orphan';
    else if (finalizers.includes(FINALIZER_FOREGROUND)) policy = 'Foreground';
    else policy = defaultPolicy;
  }
  const next = finalizers.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (policy === 'Orphan') next.push(FINALIZER_ORPHAN);
  if (policy === 'Foreground') next.push(FINALIZER_FOREGROUND);
  const same = next.length === finalizers.length && next.every((f) => finalizers.includes(f));
  return same ? finalizers : next;
}

/**
 * Deletes (or marks for deletion) one object. Throws 404, 409 on failed
 * preconditions, 400/422 on bad options. A second DELETE of an object in
 * its grace period only shortens it; one of an object held by finalizers
 * may switch its propagation finalizer (as Kubernetes allows).
 */
export async function deleteObject(
  registry: Registry,
  deps: DeleteDeps,
  ctx: RequestContext,
  info: ResourceInfo,
  namespace: string,
  name: string,
  options: DeleteOptions,
): Promise<DeleteResult> {
  const strategy = strategyFor(info);
  const store = registry.deps.store;
  const key = registry.key(info, namespace, name);
  const gr = { group: info.group, resource: info.resource };
  validateOptions(options);
  for (let attempt = 0; ; attempt++) {
    let current: KubeObject;
    try {
      current = withTypeMeta(info, await store.get(key));
    } catch (e) {
      throw toStatusError(e, info, name);
    }
    const pre = options.preconditions ?? {};
    if (pre.uid && pre.uid !== current.metadata.uid) {
      throw conflict(
        gr,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(
        gr,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    const next = clone(current);
    const meta = next.metadata;
    const grace = strategy.gracePeriod?.(current, options.gracePeriodSeconds);
    const pendingGrace = grace !== undefined && grace > 0;
    const existingGrace = meta.deletionGracePeriodSeconds ?? 0;
    // In its grace period already: only a shorter period changes anything (finalizers included).
    if (meta.deletionTimestamp && existingGrace > 0 && (grace ?? 0) >= existingGrace) {
      return { object: current, deleted: false };
    }
    const finalizers = deps.garbageCollector
      ? [...propagationFinalizers(meta.finalizers ?? [], options, defaultPropagationPolicy(info))]
      : [...(meta.finalizers ?? [])];
    if (finalizers.length || pendingGrace || strategy.blocksDeletion?.(current)) {
      strategy.prepareForDelete?.(next);
      // Only marked: shorten an existing grace period, never lengthen it.
      const deadline = new Date(ctx.now.getTime() + (grace ?? 0) * 1000);
      const existing = meta.deletionTimestamp ? Date.parse(meta.deletionTimestamp) : undefined;
      // As Kubernetes, the first mark of an object with a generation bumps it.
      if (existing === undefined && (meta.generation ?? 0) > 0) meta.generation = (meta.generation ?? 0) + 1;
      if (existing === undefined || deadline.getTime() < existing) {
        meta.deletionTimestamp = rfc3339(deadline);
        meta.deletionGracePeriodSeconds = grace ?? 0;
      }
      if (finalizers.length) meta.finalizers = finalizers;
      else delete meta.finalizers;
      if (ctx.dryRun) return { object: next, deleted: false };
      if (JSON.stringify(next) === JSON.stringify(current)) return { object: current, deleted: false };
      try {
        const stored = await store.update(key, next, { resourceVersion: current.metadata.resourceVersion });
        return { object: withTypeMeta(info, stored), deleted: false };
      } catch (e) {
        if (isStorageError(e, 'Conflict') && attempt < 20) continue;
        throw toStatusError(e, info, name);
      }
    }
    if (ctx.dryRun) return { object: current, deleted: true };
    try {
      const gone = await store.delete(key, { resourceVersion: current.metadata.resourceVersion });
      await strategy.release?.(gone, registry.deps);
      return { object: withTypeMeta(info, gone), deleted: true };
    } catch (e) {
      if (isStorageError(e, 'Conflict') && attempt < 20) continue;
      throw toStatusError(e, info, name);
    }
  }
}
