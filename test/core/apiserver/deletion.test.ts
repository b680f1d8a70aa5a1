/**
 * DELETE semantics through the API: immediate deletion of unbound pods,
 * graceful deletion of bound ones, finalizers, DeleteOptions preconditions,
 * the response body (Success Status or the object), deletecollection with a
 * label selector, and namespace deletion marking the namespace Terminating.
 */
import { describe, expect, it } from 'vitest';
import { makeBinding, makeConfigMap, makePod } from '../../fixtures/objects.ts';
import { useApiHarness } from '../../support/api-harness.ts';

const PODS = '/api/v1/namespaces/default/pods';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

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
});
