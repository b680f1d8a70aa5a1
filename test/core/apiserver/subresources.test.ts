/**
 * The status split and the subresources: writes to the main resource keep
 * status, `/status` changes only status, `/scale` reads and writes replicas
 * as an autoscaling/v1 Scale, `pods/binding` assigns a node once, and
 * `namespaces/finalize` is the only way to change a namespace's spec
 * finalizers.
 */
import { describe, expect, it } from 'vitest';
import { makeBinding, makeDeployment, makePod, makeReplicationController } from '../../fixtures/objects.ts';
import { useApiHarness } from '../../support/api-harness.ts';

const PODS = '/api/v1/namespaces/default/pods';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

describe('API handler subresources', () => {
  const api = useApiHarness();

  describe('status', () => {
    async function deploymentWithStatus() {
      await api().ok('POST', DEPLOYMENTS, { body: makeDeployment() });
      return api().ok('PUT', `${DEPLOYMENTS}/web/status`, {
        body: { ...makeDeployment(), status: { replicas: 3, readyReplicas: 2 } },
      });
    }

    it('drops status sent with a create', async () => {
      const created = await api().ok('POST', DEPLOYMENTS, { body: makeDeployment({ status: { replicas: 9 } }) });
      expect(created.status?.replicas).toBeUndefined();
    });

    it('keeps the stored status when a PUT on the main resource carries another', async () => {
      const current = await deploymentWithStatus();
      const updated = await api().ok('PUT', `${DEPLOYMENTS}/web`, {
        body: { ...current, spec: { ...current.spec, replicas: 4 }, status: { replicas: 99 } },
      });
      expect(updated.spec.replicas).toBe(4);
      expect(updated.status).toEqual({ replicas: 3, readyReplicas: 2 });
    });

    it('keeps the stored status when a patch of the main resource touches it', async () => {
      await deploymentWithStatus();
      const updated = await api().ok('PATCH', `${DEPLOYMENTS}/web`, { body: { status: { replicas: 99 } } });
      expect(updated.status).toEqual({ replicas: 3, readyReplicas: 2 });
    });

    it('changes only status through PUT /status', async () => {
      const current = await deploymentWithStatus();
      const updated = await api().ok('PUT', `${DEPLOYMENTS}/web/status`, {
        body: { ...current, spec: { ...current.spec, replicas: 7 }, status: { replicas: 5 } },
      });
      expect(updated.status).toEqual({ replicas: 5 });
      expect(updated.spec).toEqual(current.spec);
      expect(updated.metadata.generation).toBe(current.metadata.generation);
      expect(Number(updated.metadata.resourceVersion)).toBeGreaterThan(Number(current.metadata.resourceVersion));
    });

    it('changes only status through PATCH /status', async () => {
      const current = await deploymentWithStatus();
      const updated = await api().ok('PATCH', `${DEPLOYMENTS}/web/status`, {
        body: { spec: { replicas: 7 }, status: { readyReplicas: 3 } },
      });
      expect(updated.status).toEqual({ replicas: 3, readyReplicas: 3 });
      expect(updated.spec).toEqual(current.spec);
    });

    it('serves GET /status as the whole object', async () => {
      const current = await deploymentWithStatus();
      expect(await api().ok('GET', `${DEPLOYMENTS}/web/status`)).toEqual(current);
    });
  });

  describe('scale', () => {
    it('reads a Deployment as an autoscaling/v1 Scale', async () => {
      const deploy = await api().ok('POST', DEPLOYMENTS, { body: makeDeployment({ spec: { replicas: 2 } }) });
      const scale = await api().ok('GET', `${DEPLOYMENTS}/web/scale`);
      expect(scale).toEqual({
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: {
          name: 'web',
          namespace: 'default',
          uid: deploy.metadata.uid,
          resourceVersion: deploy.metadata.resourceVersion,
          creationTimestamp: deploy.metadata.creationTimestamp,
        },
        spec: { replicas: 2 },
        status: { replicas: 0, selector: 'app=web' },
      });
    });

    it('reads a ReplicationController map selector into the Scale selector', async () => {
      await api().ok('POST', '/api/v1/namespaces/default/replicationcontrollers', {
        body: makeReplicationController(),
      });
      const scale = await api().ok('GET', '/api/v1/namespaces/default/replicationcontrollers/web/scale');
      expect(scale.status.selector).toBe('app=web');
    });

    it('sets spec.replicas through PUT and bumps the generation', async () => {
      await api().ok('POST', DEPLOYMENTS, { body: makeDeployment() });
      const scale = await api().ok('PUT', `${DEPLOYMENTS}/web/scale`, {
        body: {
          kind: 'Scale',
          apiVersion: 'autoscaling/v1',
          metadata: { name: 'web', namespace: 'default' },
          spec: { replicas: 5 },
        },
      });
      expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 5 } });
      const deploy = await api().ok('GET', `${DEPLOYMENTS}/web`);
      expect(deploy.spec.replicas).toBe(5);
      expect(deploy.metadata.generation).toBe(2);
      expect(scale.metadata.resourceVersion).toBe(deploy.metadata.resourceVersion);
    });

    it.each([
      ['a merge patch', 'application/merge-patch+json'],
      ['a strategic merge patch', 'application/strategic-merge-patch+json'],
    ])('sets spec.replicas through %s', async (_, contentType) => {
      await api().ok('POST', DEPLOYMENTS, { body: makeDeployment() });
      const scale = await api().ok('PATCH', `${DEPLOYMENTS}/web/scale`, {
        body: { spec: { replicas: 4 } },
        contentType,
      });
      expect(scale.spec.replicas).toBe(4);
      expect((await api().ok('GET', `${DEPLOYMENTS}/web`)).spec.replicas).toBe(4);
    });

    it('refuses negative replicas with 422 and keeps the workload', async () => {
      await api().ok('POST', DEPLOYMENTS, { body: makeDeployment() });
      const before = await api().listState(DEPLOYMENTS);
      const res = await api().call('PATCH', `${DEPLOYMENTS}/web/scale`, { body: { spec: { replicas: -1 } } });
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({
        reason: 'Invalid',
        message:
          'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
        details: { name: 'web', group: 'autoscaling', kind: 'Scale' },
      });
      expect(res.json.details.causes).toEqual([
        {
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: 'Invalid value: -1: must be greater than or equal to 0',
        },
      ]);
      expect(await api().listState(DEPLOYMENTS)).toEqual(before);
    });

    it('refuses a Scale PUT with a stale resourceVersion', async () => {
      const created = await api().ok('POST', DEPLOYMENTS, { body: makeDeployment() });
      await api().ok('PATCH', `${DEPLOYMENTS}/web`, { body: { metadata: { labels: { x: 'y' } } } });
      const before = await api().listState(DEPLOYMENTS);
      const res = await api().call('PUT', `${DEPLOYMENTS}/web/scale`, {
        body: {
          kind: 'Scale',
          apiVersion: 'autoscaling/v1',
          metadata: { name: 'web', resourceVersion: created.metadata.resourceVersion },
          spec: { replicas: 3 },
        },
      });
      expect(res.status).toBe(409);
      expect(res.json.reason).toBe('Conflict');
      expect(await api().listState(DEPLOYMENTS)).toEqual(before);
    });

    it('answers 404 for the scale of a missing workload', async () => {
      const res = await api().call('GET', `${DEPLOYMENTS}/missing/scale`);
      expect(res.status).toBe(404);
      expect(res.json.message).toBe('deployments.apps "missing" not found');
    });
  });

  describe('pods/binding', () => {
    it('sets nodeName and PodScheduled=True and answers a Success Status', async () => {
      await api().ok('POST', PODS, { body: makePod() });
      const res = await api().call('POST', `${PODS}/web/binding`, { body: makeBinding() });
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Success' });
      const pod = await api().ok('GET', `${PODS}/web`);
      expect(pod.spec.nodeName).toBe('node-1');
      expect(pod.status.conditions).toEqual([
        expect.objectContaining({ type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }),
      ]);
    });

    it('refuses a second binding with 409 and keeps the first node', async () => {
      await api().ok('POST', PODS, { body: makePod() });
      await api().ok('POST', `${PODS}/web/binding`, { body: makeBinding() });
      const before = await api().listState(PODS);
      const res = await api().call('POST', `${PODS}/web/binding`, {
        body: makeBinding({ target: { name: 'node-2' } }),
      });
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({
        reason: 'Conflict',
        message: 'Operation cannot be fulfilled on pods "web": pod web is already assigned to node "node-1"',
        details: { name: 'web', kind: 'pods' },
      });
      expect(await api().listState(PODS)).toEqual(before);
    });

    it('binds through the legacy bindings collection', async () => {
      await api().ok('POST', PODS, { body: makePod() });
      const res = await api().call('POST', '/api/v1/namespaces/default/bindings', { body: makeBinding() });
      expect(res.status).toBe(201);
      expect((await api().ok('GET', `${PODS}/web`)).spec.nodeName).toBe('node-1');
    });

    it('answers 404 when binding a missing pod', async () => {
      const res = await api().call('POST', `${PODS}/ghost/binding`, {
        body: makeBinding({ metadata: { name: 'ghost' } }),
      });
      expect(res.status).toBe(404);
      expect(res.json.message).toBe('pods "ghost" not found');
    });

    it('refuses a binding without a target with 422', async () => {
      await api().ok('POST', PODS, { body: makePod() });
      const res = await api().call('POST', `${PODS}/web/binding`, { body: makeBinding({ target: undefined }) });
      expect(res.status).toBe(422);
      expect(res.json.details.causes).toEqual([
        expect.objectContaining({ field: 'target.name', reason: 'FieldValueRequired' }),
      ]);
      expect((await api().ok('GET', `${PODS}/web`)).spec.nodeName).toBeUndefined();
    });
  });

  describe('namespaces/finalize', () => {
    it('changes spec.finalizers, which a PUT on the namespace cannot', async () => {
      const ns = await api().ok('GET', '/api/v1/namespaces/kube-public');
      expect(ns.spec.finalizers).toEqual(['kubernetes']);

      const put = await api().ok('PUT', '/api/v1/namespaces/kube-public', {
        body: { ...ns, spec: { finalizers: [] } },
      });
      expect(put.spec.finalizers).toEqual(['kubernetes']);

      const finalized = await api().ok('PUT', '/api/v1/namespaces/kube-public/finalize', {
        body: { ...ns, spec: { finalizers: [] } },
      });
      expect(finalized.spec.finalizers).toEqual([]);
      expect(finalized.status.phase).toBe('Active');
    });

    it('removes a Terminating namespace once its last spec finalizer is gone', async () => {
      const marked = await api().ok('DELETE', '/api/v1/namespaces/kube-public');
      expect(marked.status.phase).toBe('Terminating');
      await api().ok('PUT', '/api/v1/namespaces/kube-public/finalize', {
        body: { ...marked, spec: { finalizers: [] } },
      });
      expect((await api().call('GET', '/api/v1/namespaces/kube-public')).status).toBe(404);
    });
  });
});
