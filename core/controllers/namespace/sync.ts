/**
 * The namespace controller: when a namespace is being deleted it deletes
 * everything in it, and once nothing is left removes the `kubernetes` spec
 * finalizer so the namespace itself goes away.
 */
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { findResource, RESOURCES, storageResource } from '../../api/resources.ts';
import { MASTERS_GROUP } from '../../apiserver/auth.ts';
import type { Logger } from '../../apiserver/types.ts';
import { isNotFound } from '../../errors/index.ts';
import { deleteObject } from '../../registry/delete.ts';
import type { Registry } from '../../registry/registry.ts';
import type { RequestContext } from '../../registry/strategy.ts';
import type { Store } from '../../storage/store.ts';
import {
  type ControllerSpec,
  type RunningController,
  type SyncResult,
  startController,
} from '../runtime/controller.ts';

/** The spec finalizer the namespace controller owns. */
export const NAMESPACE_FINALIZER = 'kubernetes';

const CONTENT = RESOURCES.filter((r) => r.namespaced && r.resource !== 'bindings');
const NAMESPACES = findResource('', 'v1', 'namespaces')!;

/** Dependencies of the namespace controller. */
export interface NamespaceControllerDeps {
  store: Store;
  registry: Registry;
  logger: Logger;
  now?: () => Date;
}

const ctx = (now: Date): RequestContext => ({
  user: { name: 'system:controller:namespace', groups: [MASTERS_GROUP] },
  now,
  dryRun: false,
});

/** Reconciles one namespace. Idempotent; requeues while content remains. */
export async function syncNamespace(deps: NamespaceControllerDeps, name: string): Promise<SyncResult | undefined> {
  const now = deps.now?.() ?? new Date();
  let ns: Namespace;
  try {
    ns = (await deps.registry.get(NAMESPACES, '', name)) as unknown as Namespace;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  if (!ns.metadata?.deletionTimestamp) return undefined;
  let remaining = 0;
  for (const info of CONTENT) {
    const page = await deps.store.list(storageResource(info), { namespace: name });
    for (const item of page.items) {
      remaining++;
      if (item.metadata.deletionTimestamp) continue;
      try {
        await deleteObject(
          deps.registry,
          { garbageCollector: false },
          ctx(now),
          info,
          name,
          item.metadata.name ?? '',
          {},
        );
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
  if (remaining > 0) return { requeueAfterMs: 1000 };
  if (!(ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER)) return undefined;
  await deps.registry.write(
    ctx(now),
    NAMESPACES,
    '',
    name,
    (cur) => ({
      ...cur,
      spec: {
        finalizers: ((cur.spec as Namespace['spec'])?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER),
      },
    }),
    'finalize',
  );
  return undefined;
}

/** The namespace controller's spec: a namespace's own changes concern only itself. */
export function namespaceControllerSpec(deps: NamespaceControllerDeps): ControllerSpec {
  return {
    name: 'namespace',
    watches: [{ resource: 'namespaces', keys: (e) => [e.object.metadata.name ?? ''] }],
    sync: (key) => syncNamespace(deps, key),
    initialKeys: async () => (await deps.store.list('namespaces')).items.map((n) => n.metadata.name ?? ''),
  };
}

/** Starts the namespace controller in process. */
export function startNamespaceController(deps: NamespaceControllerDeps): Promise<RunningController> {
  return startController(deps.store, namespaceControllerSpec(deps), deps.logger);
}
