/**
 * Request-level errors of the API handler: bad bodies (400), authentication
 * (401), authorization (403), unknown paths and objects (404), methods a URL
 * does not serve (405), oversized bodies (413) and unknown content types
 * (415) — each with Kubernetes' status code, reason and message, and each
 * rejected write leaving the store untouched.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../../core/apiserver/types.ts';
import { makeConfigMap, makePod } from '../../fixtures/objects.ts';
import { USER_TOKEN, useApiHarness } from '../../support/api-harness.ts';

const PODS = '/api/v1/namespaces/default/pods';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

/** The Status body Kubernetes sends for a failure. */
const failure = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  code,
  reason,
  message,
});

describe('API handler request errors', () => {
  const api = useApiHarness();

  describe('400 BadRequest', () => {
    it('refuses a malformed JSON body and stores nothing', async () => {
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('POST', CONFIGMAPS, { body: '{"metadata": {"name": ' });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ kind: 'Status', status: 'Failure', code: 400, reason: 'BadRequest' });
      expect(res.json.message).toMatch(/json/i);
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });

    it('refuses a body whose namespace differs from the URL namespace', async () => {
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('POST', CONFIGMAPS, {
        body: makeConfigMap({ metadata: { namespace: 'kube-system' } }),
      });
      expect(res.status).toBe(400);
      expect(res.json).toEqual(
        failure(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        ),
      );
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
      expect((await api().listState('/api/v1/namespaces/kube-system/configmaps')).items).toEqual([]);
    });

    it('refuses a PUT whose body namespace differs from the URL namespace', async () => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('PUT', `${CONFIGMAPS}/settings`, {
        body: makeConfigMap({ metadata: { namespace: 'kube-system' }, data: { changed: 'yes' } }),
      });
      expect(res.status).toBe(400);
      expect(res.json.reason).toBe('BadRequest');
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });
  });

  describe('401 Unauthorized', () => {
    it.each([
      ['no Authorization header', null],
      ['an unknown token', 'not-a-token'],
    ])('refuses a request with %s', async (_, token) => {
      const res = await api().call('GET', PODS, { token });
      expect(res.status).toBe(401);
      expect(res.json).toEqual(failure(401, 'Unauthorized', 'Unauthorized'));
    });

    it('refuses an unauthenticated write and stores nothing', async () => {
      const before = await api().listState(PODS);
      const res = await api().call('POST', PODS, { body: makePod(), token: null });
      expect(res.status).toBe(401);
      expect(await api().listState(PODS)).toEqual(before);
    });

    it.each(['/healthz', '/livez', '/readyz', '/version'])('serves %s without credentials', async (path) => {
      const res = await api().call('GET', path, { token: null });
      expect(res.status).toBe(200);
    });
  });

  describe('403 Forbidden', () => {
    it('names the user, verb, resource, group and namespace for a namespaced request', async () => {
      const res = await api().call('GET', PODS, { token: USER_TOKEN });
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject(
        failure(
          403,
          'Forbidden',
          'pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"',
        ),
      );
      expect(res.json.details).toEqual({ kind: 'pods' });
    });

    it('names the object and puts its name in details for a request on one object', async () => {
      const res = await api().call('GET', '/apis/apps/v1/namespaces/default/deployments/web', { token: USER_TOKEN });
      expect(res.status).toBe(403);
      expect(res.json.message).toBe(
        'deployments.apps "web" is forbidden: User "jane" cannot get resource "deployments" in API group "apps" in the namespace "default"',
      );
      expect(res.json.details).toEqual({ name: 'web', group: 'apps', kind: 'deployments' });
    });

    it('says "at the cluster scope" for a request outside any namespace', async () => {
      const res = await api().call('GET', '/api/v1/nodes', { token: USER_TOKEN });
      expect(res.status).toBe(403);
      expect(res.json.message).toBe(
        'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope',
      );
    });

    it('names resource/subresource in the reason but only the resource in the subject and details', async () => {
      const res = await api().call('PUT', `${PODS}/web/status`, { token: USER_TOKEN, body: makePod() });
      expect(res.status).toBe(403);
      expect(res.json.message).toBe(
        'pods "web" is forbidden: User "jane" cannot update resource "pods/status" in API group "" in the namespace "default"',
      );
      expect(res.json.details).toEqual({ name: 'web', kind: 'pods' });
    });

    it('refuses a non-admin write and stores nothing', async () => {
      const before = await api().listState(PODS);
      const res = await api().call('POST', PODS, { body: makePod(), token: USER_TOKEN });
      expect(res.status).toBe(403);
      expect(res.json.message).toContain('cannot create resource "pods"');
      expect(await api().listState(PODS)).toEqual(before);
    });

    it('refuses a create in a Terminating namespace', async () => {
      await api().ok('DELETE', '/api/v1/namespaces/kube-public');
      const path = '/api/v1/namespaces/kube-public/configmaps';
      const before = await api().listState(path);
      const res = await api().call('POST', path, { body: makeConfigMap({ metadata: { namespace: 'kube-public' } }) });
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject(
        failure(
          403,
          'Forbidden',
          'configmaps "settings" is forbidden: unable to create new content in namespace kube-public because it is being terminated',
        ),
      );
      expect(res.json.details).toEqual({ name: 'settings', kind: 'configmaps' });
      expect(await api().listState(path)).toEqual(before);
    });
  });

  describe('404 NotFound', () => {
    it('names the missing object: pods "x" not found', async () => {
      const res = await api().call('GET', `${PODS}/x`);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({
        ...failure(404, 'NotFound', 'pods "x" not found'),
        details: { name: 'x', kind: 'pods' },
      });
    });

    it('qualifies the resource of a named group: deployments.apps "x" not found', async () => {
      const res = await api().call('GET', '/apis/apps/v1/namespaces/default/deployments/x');
      expect(res.status).toBe(404);
      expect(res.json.message).toBe('deployments.apps "x" not found');
      expect(res.json.details).toEqual({ name: 'x', group: 'apps', kind: 'deployments' });
    });

    it.each([
      ['an unknown resource', '/api/v1/namespaces/default/widgets'],
      ['an unknown group', '/apis/example.com/v1/namespaces/default/widgets'],
      ['an unknown subresource', `${PODS}/web/frobnicate`],
      ['a cluster-scoped resource under a namespace', '/api/v1/namespaces/default/nodes'],
      ['an unknown non-resource path', '/metrics/nothing-here'],
    ])('answers %s with the generic not-found Status', async (_, path) => {
      const res = await api().call('GET', path);
      expect(res.status).toBe(404);
      expect(res.json).toEqual(failure(404, 'NotFound', 'the server could not find the requested resource'));
    });

    it('refuses a create in a namespace that does not exist', async () => {
      const path = '/api/v1/namespaces/nowhere/configmaps';
      const res = await api().call('POST', path, { body: makeConfigMap({ metadata: { namespace: 'nowhere' } }) });
      expect(res.status).toBe(404);
      expect(res.json).toEqual({
        ...failure(404, 'NotFound', 'namespaces "nowhere" not found'),
        details: { name: 'nowhere', kind: 'namespaces' },
      });
      expect((await api().listState(path)).items).toEqual([]);
    });
  });

  describe('405 MethodNotAllowed', () => {
    const notAllowed = failure(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );

    it.each([
      ['POST to an object URL', 'POST', `${CONFIGMAPS}/settings`],
      ['PUT on a collection', 'PUT', CONFIGMAPS],
      ['PATCH on a collection', 'PATCH', CONFIGMAPS],
      ['GET on pods/binding', 'GET', `${PODS}/web/binding`],
      ['DELETE on the namespaces collection (no deletecollection)', 'DELETE', '/api/v1/namespaces'],
    ])('answers %s with 405 and changes nothing', async (_, method, path) => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      await api().ok('POST', PODS, { body: makePod() });
      const configMaps = await api().listState(CONFIGMAPS);
      const namespaces = await api().listState('/api/v1/namespaces');
      const res = await api().call(method, path, {
        body: method === 'DELETE' ? undefined : makeConfigMap({ data: { x: 'y' } }),
      });
      expect(res.status).toBe(405);
      expect(res.json).toEqual(notAllowed);
      expect(await api().listState(CONFIGMAPS)).toEqual(configMaps);
      expect(await api().listState('/api/v1/namespaces')).toEqual(namespaces);
    });
  });

  describe('413 RequestEntityTooLarge', () => {
    it('refuses a body over 3 MiB before decoding it', async () => {
      const before = await api().listState(CONFIGMAPS);
      const body = makeConfigMap({ data: { big: 'x'.repeat(MAX_BODY_BYTES) } });
      const res = await api().call('POST', CONFIGMAPS, { body });
      expect(res.status).toBe(413);
      expect(res.json).toEqual(
        failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${3 * 1024 * 1024}`),
      );
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });
  });

  describe('415 UnsupportedMediaType', () => {
    it('refuses a create body of an unknown content type', async () => {
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('POST', CONFIGMAPS, { body: 'name=settings', contentType: 'text/plain' });
      expect(res.status).toBe(415);
      expect(res.json).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
      expect(res.json.message).toMatch(
        /^the body of the request was in an unknown format - accepted media types include: /,
      );
      expect(res.json.message).toContain('application/json');
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });

    it('lists the patch types when a PATCH has an unknown content type', async () => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('PATCH', `${CONFIGMAPS}/settings`, {
        body: '{"data":{"a":"b"}}',
        contentType: 'text/plain',
      });
      expect(res.status).toBe(415);
      expect(res.json.reason).toBe('UnsupportedMediaType');
      expect(res.json.message).toContain('application/merge-patch+json');
      expect(res.json.message).toContain('application/json-patch+json');
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });

    it('refuses server-side apply (application/apply-patch+yaml)', async () => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('PATCH', `${CONFIGMAPS}/settings`, {
        body: 'data:\n  a: b\n',
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: 'kubectl' },
      });
      expect(res.status).toBe(415);
      expect(res.json).toMatchObject({ kind: 'Status', code: 415, reason: 'UnsupportedMediaType' });
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });
  });

  it('ignores query parameters it does not know', async () => {
    const created = await api().call('POST', CONFIGMAPS, {
      body: makeConfigMap(),
      query: { frobnicate: 'yes', pretty: 'true' },
    });
    expect(created.status).toBe(201);
    const list = await api().call('GET', CONFIGMAPS, { query: { frobnicate: 'yes' } });
    expect(list.status).toBe(200);
    expect(list.json.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['settings']);
  });
});
