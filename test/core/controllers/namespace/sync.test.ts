import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findResource, type ResourceInfo } from '../../../../core/api/resources.ts';
import { silentLogger } from '../../../../core/apiserver/types.ts';
import { namespaceControllerSpec, syncNamespace } from '../../../../core/controllers/namespace/sync.ts';
import { isNotFound } from '../../../../core/errors/index.ts';
import { deleteObject } from '../../../../core/registry/delete.ts';
import type { StoreEvent } from '../../../../core/storage/store.ts';
import { adminCtx, makeRegistry } from '../../../support/memory-registry.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;
const CONFIGMAPS = findResource('', 'v1', 'configmaps') as ResourceInfo;
const SECRETS = findResource('', 'v1', 'secrets') as ResourceInfo;

/** A namespace with content, being deleted; `doorbells` are the controller's keys for its changes. */
async function terminatingNamespace() {
  const { store, registry } = await makeRegistry();
  const deps = { store, registry, logger: silentLogger };
  const spec = namespaceControllerSpec(deps);
  await registry.create(adminCtx(), NAMESPACES, '', { metadata: { name: 'team' } } as KubeObject);
  for (const name of ['a', 'b', 'c']) {
    await registry.create(adminCtx(), CONFIGMAPS, 'team', { metadata: { name }, data: { k: name } } as KubeObject);
  }
  await registry.create(adminCtx(), SECRETS, 'team', { metadata: { name: 's' }, data: {} } as KubeObject);
  // An unrelated namespace the controller must leave alone.
  await registry.create(adminCtx(), NAMESPACES, '', { metadata: { name: 'other' } } as KubeObject);
  await registry.create(adminCtx(), CONFIGMAPS, 'other', { metadata: { name: 'keep' } } as KubeObject);
  await deleteObject(registry, { garbageCollector: false }, adminCtx(), NAMESPACES, '', 'team', {});
  const events: StoreEvent[] = [];
  const watch = await store.watch('namespaces', { fromRevision: 0 });
  for await (const e of watch) {
    events.push(e);
    if (e.object.metadata.deletionTimestamp) break;
  }
  watch.stop();
  const doorbells = events.flatMap((e) => spec.watches[0].keys(e));
  const state = async () => ({
    team: await registry.get(NAMESPACES, '', 'team').then(
      () => 'present',
      (e) => (isNotFound(e) ? 'gone' : 'error'),
    ),
    teamContent: (await store.list('configmaps', { namespace: 'team' })).items.length,
    other: (await store.list('configmaps', { namespace: 'other' })).items.map((o) => o.metadata.name),
  });
  return { deps, doorbells, state };
}

/** Syncs each key until none asks to be requeued (a bounded number of rounds). */
async function drain(deps: Parameters<typeof syncNamespace>[0], keys: string[]) {
  let pending = keys;
  for (let round = 0; round < 5 && pending.length; round++) {
    const again: string[] = [];
    for (const key of pending) if ((await syncNamespace(deps, key))?.requeueAfterMs) again.push(key);
    pending = again;
  }
}

describe('namespace controller sync', () => {
  it('deletes the content, then the namespace, and nothing elsewhere', async () => {
    const { deps, doorbells, state } = await terminatingNamespace();
    expect(doorbells.slice(-3)).toEqual(['team', 'other', 'team']);
    await drain(deps, ['team']);
    expect(await state()).toEqual({ team: 'gone', teamContent: 0, other: ['keep'] });
  });

  it.each([
    ['in order', (k: string[]) => k],
    ['reversed', (k: string[]) => [...k].reverse()],
    [
      'duplicated and shuffled',
      (k: string[]) => k.flatMap((key, i) => [k[(i * 3 + 1) % k.length], key, k[(i + 2) % k.length]]),
    ],
  ])('reaches the same end state with doorbells %s', async (_label, arrange) => {
    const { deps, doorbells, state } = await terminatingNamespace();
    await drain(deps, arrange(doorbells));
    // Doorbells for a namespace that is already gone change nothing.
    await drain(deps, doorbells);
    expect(await state()).toEqual({ team: 'gone', teamContent: 0, other: ['keep'] });
  });
});
