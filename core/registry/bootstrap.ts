/**
 * What every cluster has from the start, created idempotently by whichever
 * process serves the API (the local runner, or the apiserver Lambda on its
 * first request).
 */
import type { KubeObject } from '../api/object.ts';
import { findResource } from '../api/resources.ts';
import { MASTERS_GROUP } from '../apiserver/auth.ts';
import { isAlreadyExists } from '../errors/index.ts';
import type { Registry } from './registry.ts';
import type { RequestContext } from './strategy.ts';

/** The namespaces every cluster has from the start. */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** The identity system writes are made as. */
export const systemContext = (now: Date): RequestContext => ({
  user: { name: 'system:apiserver', groups: [MASTERS_GROUP] },
  now,
  dryRun: false,
});

/** Creates `obj` unless an object of that name exists. Throws whatever else the registry throws. */
export async function ensureObject(
  registry: Registry,
  now: Date,
  resource: string,
  namespace: string,
  obj: KubeObject,
): Promise<void> {
  const info = findResource('', 'v1', resource);
  if (!info) throw new Error(`unknown core resource ${resource}`);
  try {
    await registry.create(systemContext(now), info, namespace, obj);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}

/** Creates the system namespaces that do not exist yet. Idempotent. */
export async function ensureSystemNamespaces(registry: Registry, now: () => Date): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) await ensureObject(registry, now(), 'namespaces', '', { metadata: { name } });
}
