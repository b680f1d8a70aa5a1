import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../core/api/object.ts';
import { isConflict, isNotFound } from '../../../core/errors/index.ts';
import { bindPod } from '../../../core/registry/binding.ts';
import type { Registry } from '../../../core/registry/registry.ts';
import type { Store } from '../../../core/storage/store.ts';
import { makePod } from '../../fixtures/scheduler.ts';
import { adminCtx, makeRegistry, PODS } from '../../support/memory-registry.ts';

let store: Store;
let registry: Registry;

beforeEach(async () => {
  ({ store, registry } = await makeRegistry());
});
afterEach(() => store.close());

async function createPod(name: string): Promise<KubeObject> {
  const { metadata, spec } = makePod({ name });
  return registry.create(adminCtx(), PODS, 'default', { metadata: { name: metadata!.name }, spec } as KubeObject);
}

describe('bindPod', () => {
  it('sets spec.nodeName and PodScheduled=True in one write and returns the bound pod', async () => {
    const created = await createPod('web');
    const bound = await bindPod(registry, adminCtx(), 'default', 'web', 'node-1', { uid: created.metadata.uid });
    expect(bound.spec?.nodeName).toBe('node-1');
    expect(bound.status?.conditions).toEqual([
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z', lastProbeTime: null },
    ]);
    expect(Number(bound.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
  });

  it('answers 409 and keeps the first node when the pod is already bound', async () => {
    await createPod('web');
    await bindPod(registry, adminCtx(), 'default', 'web', 'node-1');
    const err = await bindPod(registry, adminCtx(), 'default', 'web', 'node-2').catch((e) => e);
    expect(isConflict(err)).toBe(true);
    expect(err.message).toContain('pod web is already assigned to node "node-1"');
    expect((await registry.get(PODS, 'default', 'web')).spec).toMatchObject({ nodeName: 'node-1' });
  });

  it('answers 409 when the pod was deleted and recreated under the same name (UID mismatch)', async () => {
    const first = await createPod('web');
    await store.delete(registry.key(PODS, 'default', 'web'));
    await createPod('web');
    const err = await bindPod(registry, adminCtx(), 'default', 'web', 'node-1', { uid: first.metadata.uid }).catch(
      (e) => e,
    );
    expect(isConflict(err)).toBe(true);
    expect((await registry.get(PODS, 'default', 'web')).spec).not.toHaveProperty('nodeName');
  });

  it('answers 404 when the pod is gone', async () => {
    const err = await bindPod(registry, adminCtx(), 'default', 'ghost', 'node-1').catch((e) => e);
    expect(isNotFound(err)).toBe(true);
  });

  it('lets exactly one of two concurrent bindings of one pod win', async () => {
    await createPod('web');
    const results = await Promise.allSettled([
      bindPod(registry, adminCtx(), 'default', 'web', 'node-1'),
      bindPod(registry, adminCtx(), 'default', 'web', 'node-2'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(isConflict(rejected.reason)).toBe(true);
  });

  it('writes on the caller’s copy while it is current, and re-reads a stale one without losing what changed', async () => {
    const created = (await createPod('web')) as unknown as Pod;
    const bound = await bindPod(registry, adminCtx(), 'default', 'web', 'node-1', { pod: created });
    expect(bound.spec?.nodeName).toBe('node-1');
    expect(created.spec?.nodeName).toBeUndefined();

    const stale = (await createPod('api')) as unknown as Pod;
    await registry.systemUpdate(adminCtx(), PODS, 'default', 'api', (p) => ({
      ...p,
      metadata: { ...p.metadata, labels: { tier: 'backend' } },
    }));
    await bindPod(registry, adminCtx(), 'default', 'api', 'node-1', { pod: stale });
    const api = await registry.get(PODS, 'default', 'api');
    expect(api.metadata.labels).toEqual({ tier: 'backend' });
    expect((api.spec as { nodeName?: string }).nodeName).toBe('node-1');
  });
});
