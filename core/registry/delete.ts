/**
 * DELETE semantics: preconditions, graceful deletion (`deletionTimestamp` +
 * `deletionGracePeriodSeconds`), finalizers (an object with finalizers is only
 * marked, and disappears when the last one is removed), and the propagation
 * policy finalizers the garbage collector acts on.
 */
import { clone, type KubeObject } from '../api/object.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { rfc3339 } from '../api/time.ts';
import { badRequest, conflict } from '../errors/index.ts';
import { isStorageError } from '../storage/errors.ts';
import type { Registry } from './registry.ts';
import { withTypeMeta } from './registry.ts';
import { toStatusError } from './storage-errors.ts';
import { strategyFor } from './strategies/index.ts';
import type { RequestContext } from './strategy.ts';

/** The `DeleteOptions` fields skube honours (from the body or the query). */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  /** Legacy boolean; `false` means Background, `true` Orphan. */
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

/** Deletes (or marks for deletion) one object. Throws 404, 409 on failed preconditions. */
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
  if (options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0) {
    throw badRequest('gracePeriodSeconds must be greater than or equal to 0');
  }
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
    let finalizers = [...(meta.finalizers ?? [])];
    const policy = options.propagationPolicy ?? (options.orphanDependents === true ? 'Orphan' : undefined);
    if (deps.garbageCollector && !meta.deletionTimestamp) {
      if (policy === 'Orphan' && !finalizers.includes(FINALIZER_ORPHAN)) finalizers.push(FINALIZER_ORPHAN);
      if (policy === 'Foreground' && !finalizers.includes(FINALIZER_FOREGROUND)) finalizers.push(FINALIZER_FOREGROUND);
      if (policy === 'Background' || policy === 'Foreground')
        finalizers = finalizers.filter((f) => f !== FINALIZER_ORPHAN);
      if (policy === 'Background' || policy === 'Orphan')
        finalizers = finalizers.filter((f) => f !== FINALIZER_FOREGROUND);
    }
    const grace = strategy.gracePeriod?.(current, options.gracePeriodSeconds);
    const pendingGrace = grace !== undefined && grace > 0;
    if (finalizers.length || pendingGrace || strategy.blocksDeletion?.(current)) {
      strategy.prepareForDelete?.(next);
      // Only marked: shorten an existing grace period, never lengthen it.
      const deadline = new Date(ctx.now.getTime() + (grace ?? 0) * 1000);
      const existing = meta.deletionTimestamp ? Date.parse(meta.deletionTimestamp) : undefined;
      if (existing === undefined || deadline.getTime() < existing) {
        meta.deletionTimestamp = rfc3339(deadline);
        meta.deletionGracePeriodSeconds = grace ?? 0;
      }
      if (finalizers.length) meta.finalizers = finalizers;
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
