/** An in-memory SQLite store and Registry with the system namespaces, for scheduler tests that write through the API pipeline. */
import { findResource, type ResourceInfo } from '../../core/api/resources.ts';
import { MASTERS_GROUP } from '../../core/apiserver/auth.ts';
import { Registry } from '../../core/registry/registry.ts';
import type { RequestContext } from '../../core/registry/strategy.ts';
import { createSqliteStore } from '../../core/storage/sqlite/sqlite-store.ts';
import type { Store } from '../../core/storage/store.ts';

/** The pods, nodes and events resources. */
export const PODS = findResource('', 'v1', 'pods') as ResourceInfo;
export const NODES = findResource('', 'v1', 'nodes') as ResourceInfo;
export const EVENTS = findResource('', 'v1', 'events') as ResourceInfo;

/** An admin request context at `now`. */
export const adminCtx = (now = new Date('2025-01-01T00:00:00Z')): RequestContext => ({
  user: { name: 'admin', groups: [MASTERS_GROUP] },
  now,
  dryRun: false,
});

/** A fresh store and registry holding the `default` namespace. */
export async function makeRegistry(): Promise<{ store: Store; registry: Registry }> {
  const store = createSqliteStore({ path: ':memory:' });
  let n = 0;
  const registry = new Registry({
    store,
    uid: () => `uid-${++n}`,
    random: () => 0.5,
    serviceCidr: '10.96.0.0/24',
    nodePortRange: { min: 30000, max: 32767 },
  });
  await registry.create(adminCtx(), findResource('', 'v1', 'namespaces')!, '', { metadata: { name: 'default' } });
  return { store, registry };
}
