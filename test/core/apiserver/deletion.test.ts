/**
 * DELETE semantics through the API: immediate deletion of unbound pods,
 * graceful deletion of bound ones, finalizers, DeleteOptions preconditions,
 * the response body (Success Status or the object), deletecollection with a
 * label selector, namespace deletion marking the namespace Terminating, and
 * the propagation finalizers (`orphan`, `foregroundDeletion`) DeleteOptions
 * set when a garbage collector runs.
 */
import { describe, expect, it } from 'vitest';
import { makeBinding, makeConfigMap, makeDeployment, makePod } from '../../fixtures/objects.ts';
import { useApiHarness } from '../../support/api-harness.ts';

const PODS = '/api/v1/namespaces/default/pods';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const body = (options: Record<string, unknown>) => ({ body: { kind: 'DeleteOptions', apiVersion: 'v1', ...options } });

describe('API handler deletion', () => {
  const api = useApiHarness();

  async function boundPod(overrides: Record<string, unknown> = {}) {
    await api().ok('POST', PODS, { body: makePod(overrides) });
    await api().ok('POST', `${PODS}/web/binding`, { body: makeBinding() });
  }

  describe('pods', () => {
    it('deletes a pod not bound to a node at once and answers the pod', async () => {
      const created = await api().ok('POST', PODS, { body: makePod() });
      const res = await api().call('DELETE', `${PODS}/web`);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: { name: 'web', uid: created.metadata.uid },
      });
      expect((await api().call('GET', `${PODS}/web`)).status).toBe(404);
    });

    it('marks a bound pod with a 30 s grace period and keeps it', async () => {
      await boundPod();
      const res = await api().call('DELETE', `${PODS}/web`);
      expect(res.status).toBe(200);
      expect(res.json.kind).toBe('Pod');
      expect(res.json.metadata).toMatchObject({
        deletionTimestamp: '2025-01-01T00:00:30Z',
        deletionGracePeriodSeconds: 30,
      });
      const stored = await api().ok('GET', `${PODS}/web`);
      expect(stored.metadata.deletionTimestamp).toBe('2025-01-01T00:00:30Z');
    });

    it('uses the pod terminationGracePeriodSeconds when the request gives none', async () => {
      await boundPod({ spec: { terminationGracePeriodSeconds: 7 } });
      const res = await api().ok('DELETE', `${PODS}/web`);
      expect(res.metadata).toMatchObject({ deletionTimestamp: '2025-01-01T00:00:07Z', deletionGracePeriodSeconds: 7 });
    });

    it.each([
      ['the DeleteOptions body', { body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 5 } }, 5],
      ['the query', { query: { gracePeriodSeconds: 10 } }, 10],
    ])('takes gracePeriodSeconds from %s', async (_, opts, grace) => {
      await boundPod();
      const res = await api().ok('DELETE', `${PODS}/web`, opts);
      expect(res.metadata.deletionGracePeriodSeconds).toBe(grace);
      expect(res.metadata.deletionTimestamp).toBe(`2025-01-01T00:00:${String(grace).padStart(2, '0')}Z`);
    });

    it('shortens but never lengthens a pending grace period', async () => {
      await boundPod();
      await api().ok('DELETE', `${PODS}/web`, { query: { gracePeriodSeconds: 20 } });
      const longer = await api().ok('DELETE', `${PODS}/web`, { query: { gracePeriodSeconds: 40 } });
      expect(longer.metadata).toMatchObject({
        deletionTimestamp: '2025-01-01T00:00:20Z',
        deletionGracePeriodSeconds: 20,
      });
      const shorter = await api().ok('DELETE', `${PODS}/web`, { query: { gracePeriodSeconds: 3 } });
      expect(shorter.metadata).toMatchObject({
        deletionTimestamp: '2025-01-01T00:00:03Z',
        deletionGracePeriodSeconds: 3,
      });
    });

    it('removes a gracefully deleted pod when deleted again with grace 0', async () => {
      await boundPod();
      await api().ok('DELETE', `${PODS}/web`);
      expect((await api().call('GET', `${PODS}/web`)).status).toBe(200);
      await api().ok('DELETE', `${PODS}/web`, { query: { gracePeriodSeconds: 0 } });
      expect((await api().call('GET', `${PODS}/web`)).status).toBe(404);
    });
  });

  describe('finalizers', () => {
    it('only marks an object with finalizers and answers it with 200', async () => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { finalizers: ['example.com/hold'] } }) });
      const res = await api().call('DELETE', `${CONFIGMAPS}/settings`);
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        kind: 'ConfigMap',
        metadata: { name: 'settings', finalizers: ['example.com/hold'], deletionTimestamp: '2025-01-01T00:00:00Z' },
      });
      const stored = await api().ok('GET', `${CONFIGMAPS}/settings`);
      expect(stored.metadata.deletionTimestamp).toBe('2025-01-01T00:00:00Z');
    });

    it('removes the object when a patch takes away the last finalizer', async () => {
      const finalizers = ['example.com/a', 'example.com/b'];
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { finalizers } }) });
      await api().ok('DELETE', `${CONFIGMAPS}/settings`);

      await api().ok('PATCH', `${CONFIGMAPS}/settings`, { body: { metadata: { finalizers: ['example.com/b'] } } });
      const held = await api().ok('GET', `${CONFIGMAPS}/settings`);
      expect(held.metadata.finalizers).toEqual(['example.com/b']);

      const res = await api().call('PATCH', `${CONFIGMAPS}/settings`, { body: { metadata: { finalizers: null } } });
      expect(res.status).toBe(200);
      expect((await api().call('GET', `${CONFIGMAPS}/settings`)).status).toBe(404);
    });

    it('keeps an object whose finalizers are removed before any delete', async () => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { finalizers: ['example.com/a'] } }) });
      await api().ok('PATCH', `${CONFIGMAPS}/settings`, { body: { metadata: { finalizers: null } } });
      expect((await api().call('GET', `${CONFIGMAPS}/settings`)).status).toBe(200);
    });
  });

  describe('preconditions', () => {
    it.each([
      ['uid', { uid: 'not-the-uid' }, 'not-the-uid'],
      ['resourceVersion', { resourceVersion: '999' }, '999'],
    ])('refuses a delete whose %s precondition fails with 409', async (_, preconditions, wrong) => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('DELETE', `${CONFIGMAPS}/settings`, {
        body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions },
      });
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({
        kind: 'Status',
        code: 409,
        reason: 'Conflict',
        details: { name: 'settings', kind: 'configmaps' },
      });
      // Kubernetes words this differently in its registry and its storage layer; both name the failed precondition.
      expect(res.json.message).toMatch(/^Operation cannot be fulfilled on configmaps "settings": /);
      expect(res.json.message).toMatch(/precondition/i);
      expect(res.json.message).toContain(wrong);
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });

    it('deletes when the preconditions hold', async () => {
      const created = await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      const { uid, resourceVersion } = created.metadata;
      const res = await api().call('DELETE', `${CONFIGMAPS}/settings`, {
        body: { preconditions: { uid, resourceVersion } },
      });
      expect(res.status).toBe(200);
      expect((await api().call('GET', `${CONFIGMAPS}/settings`)).status).toBe(404);
    });
  });

  it('answers a Success Status for a deleted ConfigMap', async () => {
    const created = await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
    const res = await api().call('DELETE', `${CONFIGMAPS}/settings`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'settings', kind: 'configmaps', uid: created.metadata.uid },
    });
  });

  it('answers 404 for a delete of a missing object', async () => {
    const res = await api().call('DELETE', `${CONFIGMAPS}/missing`);
    expect(res.status).toBe(404);
    expect(res.json.message).toBe('configmaps "missing" not found');
  });

  it('deletes only the objects a deletecollection label selector matches', async () => {
    for (const [name, tier] of [
      ['a', 'cache'],
      ['b', 'cache'],
      ['c', 'web'],
    ]) {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { name, labels: { tier } } }) });
    }
    await api().ok('POST', '/api/v1/namespaces/kube-system/configmaps', {
      body: makeConfigMap({ metadata: { name: 'd', namespace: 'kube-system', labels: { tier: 'cache' } } }),
    });
    const res = await api().call('DELETE', CONFIGMAPS, { query: { labelSelector: 'tier=cache' } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1' });
    expect(res.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['a', 'b']);
    const left = await api().ok('GET', '/api/v1/configmaps');
    expect(left.items.map((i: { metadata: { name: string } }) => i.metadata.name).sort()).toEqual(['c', 'd']);
  });

  it('marks a deleted namespace Terminating and keeps it for the namespace controller', async () => {
    const res = await api().call('DELETE', '/api/v1/namespaces/kube-public');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      kind: 'Namespace',
      metadata: { name: 'kube-public', deletionTimestamp: '2025-01-01T00:00:00Z' },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Terminating' },
    });
    const stored = await api().ok('GET', '/api/v1/namespaces/kube-public');
    expect(stored.status.phase).toBe('Terminating');
    expect(stored.metadata.deletionTimestamp).toBe('2025-01-01T00:00:00Z');
  });

  it('deletes at once whatever the propagation policy when no garbage collector runs', async () => {
    await api().ok('POST', DEPLOYMENTS, { body: makeDeployment() });
    const res = await api().call('DELETE', `${DEPLOYMENTS}/web`, body({ propagationPolicy: 'Foreground' }));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: 'Status', status: 'Success' });
    expect((await api().call('GET', `${DEPLOYMENTS}/web`)).status).toBe(404);
  });
});

describe('API handler deletion with a garbage collector', () => {
  const api = useApiHarness({ garbageCollector: true });

  async function deployment(overrides: Record<string, unknown> = {}) {
    return api().ok('POST', DEPLOYMENTS, { body: makeDeployment(overrides) });
  }

  it.each([
    ['propagationPolicy Foreground', body({ propagationPolicy: 'Foreground' }), 'foregroundDeletion'],
    ['propagationPolicy Orphan', body({ propagationPolicy: 'Orphan' }), 'orphan'],
    ['orphanDependents true', body({ orphanDependents: true }), 'orphan'],
    ['the query propagationPolicy=Foreground', { query: { propagationPolicy: 'Foreground' } }, 'foregroundDeletion'],
    ['the query orphanDependents=true', { query: { orphanDependents: true } }, 'orphan'],
  ])('marks the object with its finalizer for %s and keeps it', async (_, opts, finalizer) => {
    const created = await deployment();
    const res = await api().call('DELETE', `${DEPLOYMENTS}/web`, opts);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      kind: 'Deployment',
      metadata: {
        finalizers: [finalizer],
        deletionTimestamp: '2025-01-01T00:00:00Z',
        deletionGracePeriodSeconds: 0,
        generation: created.metadata.generation + 1,
      },
    });
    const stored = await api().ok('GET', `${DEPLOYMENTS}/web`);
    expect(stored.metadata.finalizers).toEqual([finalizer]);
  });

  it.each([
    ['no options', {}],
    ['propagationPolicy Background', body({ propagationPolicy: 'Background' })],
    ['orphanDependents false', body({ orphanDependents: false })],
  ])('deletes at once with %s', async (_, opts) => {
    await deployment();
    const res = await api().call('DELETE', `${DEPLOYMENTS}/web`, opts);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'web', kind: 'deployments' },
    });
    expect((await api().call('GET', `${DEPLOYMENTS}/web`)).status).toBe(404);
  });

  it('keeps the other finalizers and adds the propagation one after them', async () => {
    await deployment({ metadata: { finalizers: ['example.com/hold'] } });
    const res = await api().ok('DELETE', `${DEPLOYMENTS}/web`, body({ propagationPolicy: 'Foreground' }));
    expect(res.metadata.finalizers).toEqual(['example.com/hold', 'foregroundDeletion']);
  });

  it('honours an orphan finalizer the object already has when the request names no policy', async () => {
    await deployment({ metadata: { finalizers: ['orphan'] } });
    const res = await api().ok('DELETE', `${DEPLOYMENTS}/web`);
    expect(res.metadata).toMatchObject({ finalizers: ['orphan'], deletionTimestamp: '2025-01-01T00:00:00Z' });
  });

  it('drops an orphan finalizer the object has when the request asks for Background', async () => {
    await deployment({ metadata: { finalizers: ['orphan'] } });
    await api().ok('DELETE', `${DEPLOYMENTS}/web`, body({ propagationPolicy: 'Background' }));
    expect((await api().call('GET', `${DEPLOYMENTS}/web`)).status).toBe(404);
  });

  it('switches the propagation finalizer of an object already waiting on finalizers', async () => {
    await deployment({ metadata: { finalizers: ['example.com/hold'] } });
    await api().ok('DELETE', `${DEPLOYMENTS}/web`, body({ propagationPolicy: 'Foreground' }));
    api().clock.advance(5000);
    const res = await api().ok('DELETE', `${DEPLOYMENTS}/web`, body({ propagationPolicy: 'Orphan' }));
    expect(res.metadata).toMatchObject({
      finalizers: ['example.com/hold', 'orphan'],
      deletionTimestamp: '2025-01-01T00:00:00Z',
    });
    const again = await api().ok('DELETE', `${DEPLOYMENTS}/web`);
    expect(again.metadata.finalizers).toEqual(['example.com/hold', 'orphan']);
    expect(again.metadata.resourceVersion).toBe(res.metadata.resourceVersion);
  });

  it('leaves the finalizers of a pod in its grace period alone on a second delete', async () => {
    await api().ok('POST', PODS, { body: makePod() });
    await api().ok('POST', `${PODS}/web/binding`, { body: makeBinding() });
    const first = await api().ok('DELETE', `${PODS}/web`);
    expect(first.metadata.finalizers).toBeUndefined();
    const second = await api().ok('DELETE', `${PODS}/web`, body({ propagationPolicy: 'Orphan' }));
    expect(second.metadata.finalizers).toBeUndefined();
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it('refuses orphanDependents together with propagationPolicy with 422 and changes nothing', async () => {
    await deployment();
    const before = await api().listState(DEPLOYMENTS);
    const res = await api().call(
      'DELETE',
      `${DEPLOYMENTS}/web`,
      body({ orphanDependents: true, propagationPolicy: 'Background' }),
    );
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({
      kind: 'Status',
      code: 422,
      reason: 'Invalid',
      message:
        'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Background": orphanDependents and deletionPropagation cannot be both set',
    });
    expect(await api().listState(DEPLOYMENTS)).toEqual(before);
  });

  it('answers the marked object without writing it on a dry run', async () => {
    const created = await deployment();
    const res = await api().ok('DELETE', `${DEPLOYMENTS}/web`, {
      ...body({ propagationPolicy: 'Orphan' }),
      query: { dryRun: 'All' },
    });
    expect(res.metadata.finalizers).toEqual(['orphan']);
    const stored = await api().ok('GET', `${DEPLOYMENTS}/web`);
    expect(stored.metadata).toMatchObject({ resourceVersion: created.metadata.resourceVersion });
    expect(stored.metadata.finalizers).toBeUndefined();
  });
});
