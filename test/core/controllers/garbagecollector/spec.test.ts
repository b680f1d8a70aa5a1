import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { silentLogger } from '../../../../core/apiserver/types.ts';
import { scanDependents } from '../../../../core/controllers/garbagecollector/graph.ts';
import { parseWorkKey } from '../../../../core/controllers/garbagecollector/identity.ts';
import { createCollector, garbageKeys } from '../../../../core/controllers/garbagecollector/spec.ts';
import type { StoreEvent } from '../../../../core/storage/store.ts';
import { makeRegistry } from '../../../support/memory-registry.ts';

const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs-uid', blockOwnerDeletion: true };
const pod = (meta: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default', uid: 'pod-uid', ...meta },
});
const event = (type: StoreEvent['type'], object: KubeObject, prevObject?: KubeObject): StoreEvent => ({
  type,
  object,
  prevObject,
  revision: 1,
});

async function collectors() {
  const { store, registry } = await makeRegistry();
  const deps = { store, registry, logger: silentLogger };
  return { graph: createCollector(deps), scan: createCollector({ ...deps, finder: scanDependents(store) }) };
}

describe('garbageKeys', () => {
  it.each<[string, StoreEvent, string[]]>([
    ['a new dependent rings itself', event('ADDED', pod({ ownerReferences: [rs] })), ['pods/default/p']],
    ['a new object without owners rings nothing', event('ADDED', pod()), []],
    [
      'a status change of a dependent rings nothing',
      event('MODIFIED', pod({ ownerReferences: [rs], resourceVersion: '2' }), pod({ ownerReferences: [rs] })),
      [],
    ],
    [
      'changed references ring the object and its old and new owners',
      event(
        'MODIFIED',
        pod({ ownerReferences: [{ ...rs, blockOwnerDeletion: false }] }),
        pod({ ownerReferences: [rs] }),
      ),
      ['pods/default/p', 'replicasets.apps/default/web-1'],
    ],
    [
      'an owner marked for foreground deletion rings itself',
      event('MODIFIED', pod({ deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }), pod()),
      ['pods/default/p'],
    ],
    [
      'an owner marked for orphaning rings itself',
      event('MODIFIED', pod({ deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['orphan'] }), pod()),
      ['pods/default/p'],
    ],
    [
      'a deleted dependent rings the owners that may wait on it',
      event('DELETED', pod({ ownerReferences: [rs] })),
      ['replicasets.apps/default/web-1'],
    ],
  ])('with the in-memory graph: %s', async (_, e, want) => {
    const { graph } = await collectors();
    expect(garbageKeys(graph, 'pods', e).sort()).toEqual(want.sort());
  });

  it('rings a sweep of the gone owner only when the graph knows dependents of it', async () => {
    const { graph } = await collectors();
    const owner: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web-1', namespace: 'default', uid: 'rs-uid' },
    };
    expect(garbageKeys(graph, 'replicasets.apps', event('DELETED', owner))).toEqual([]);
    garbageKeys(graph, 'pods', event('ADDED', pod({ ownerReferences: [rs] })));
    expect(garbageKeys(graph, 'replicasets.apps', event('DELETED', owner))).toEqual([
      'replicasets.apps/default/web-1/rs-uid',
    ]);
    // A new owner of that name: the references to its predecessor dangle.
    expect(garbageKeys(graph, 'replicasets.apps', event('ADDED', owner))).toEqual(['replicasets.apps/default/web-1']);
  });

  it('rings a namespace sweep for every deletion without a graph, and a cluster sweep for cluster-scoped ones', async () => {
    const { scan } = await collectors();
    expect(garbageKeys(scan, 'pods', event('DELETED', pod()))).toEqual(['sweep/default']);
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n' } };
    expect(garbageKeys(scan, 'nodes', event('DELETED', node))).toEqual(['sweep/']);
  });

  it('parses the keys it rings and refuses malformed ones', () => {
    expect(parseWorkKey('pods/default/p')).toMatchObject({ id: { namespace: 'default', name: 'p' } });
    expect(parseWorkKey('nodes//n1')).toMatchObject({ id: { namespace: '', name: 'n1' } });
    expect(parseWorkKey('replicasets.apps/default/web-1/rs-uid')).toMatchObject({ goneUid: 'rs-uid' });
    expect(parseWorkKey('sweep/default')).toEqual({ sweepNamespace: 'default' });
    for (const bad of ['pods//p', 'nodes/default/n1', 'widgets/default/x', 'pods/default', '']) {
      expect(parseWorkKey(bad)).toBeUndefined();
    }
  });
});
