/**
 * Write-level errors of the API handler: 409 AlreadyExists and Conflict, 422
 * Invalid with one cause per field, the 350 KiB stored-object ceiling, and
 * `fieldValidation` — each with Kubernetes' status code, reason and message,
 * and each rejected write leaving the stored object and resourceVersion as
 * they were.
 */
import { describe, expect, it } from 'vitest';
import { MAX_OBJECT_BYTES } from '../../../core/registry/registry.ts';
import { makeConfigMap, makeContainer, makeDeployment, makePod } from '../../fixtures/objects.ts';
import { useApiHarness } from '../../support/api-harness.ts';

const PODS = '/api/v1/namespaces/default/pods';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

describe('API handler write errors', () => {
  const api = useApiHarness();

  describe('409 AlreadyExists', () => {
    it('refuses a second create of the same name and keeps the first object', async () => {
      const first = await api().ok('POST', PODS, { body: makePod() });
      const before = await api().listState(PODS);
      const res = await api().call('POST', PODS, { body: makePod({ metadata: { labels: { app: 'other' } } }) });
      expect(res.status).toBe(409);
      expect(res.json).toEqual({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        code: 409,
        reason: 'AlreadyExists',
        message: 'pods "web" already exists',
        details: { name: 'web', kind: 'pods' },
      });
      expect(await api().listState(PODS)).toEqual(before);
      expect((await api().ok('GET', `${PODS}/web`)).metadata.uid).toBe(first.metadata.uid);
    });

    it('qualifies the resource of a named group', async () => {
      await api().ok('POST', '/apis/apps/v1/namespaces/default/deployments', { body: makeDeployment() });
      const res = await api().call('POST', '/apis/apps/v1/namespaces/default/deployments', { body: makeDeployment() });
      expect(res.status).toBe(409);
      expect(res.json.message).toBe('deployments.apps "web" already exists');
      expect(res.json.details).toEqual({ name: 'web', group: 'apps', kind: 'deployments' });
    });
  });

  describe('409 Conflict', () => {
    const staleMessage =
      'Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again';

    async function twoVersions() {
      const v1 = await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      const v2 = await api().ok('PATCH', `${CONFIGMAPS}/settings`, { body: { data: { 'log.level': 'debug' } } });
      expect(Number(v2.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));
      return { stale: v1.metadata.resourceVersion as string, current: v2 };
    }

    it('refuses a PUT carrying a stale resourceVersion', async () => {
      const { stale, current } = await twoVersions();
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('PUT', `${CONFIGMAPS}/settings`, {
        body: makeConfigMap({ metadata: { resourceVersion: stale }, data: { 'log.level': 'warn' } }),
      });
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ code: 409, reason: 'Conflict', message: staleMessage });
      expect(res.json.details).toEqual({ name: 'settings', kind: 'configmaps' });
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
      expect(await api().ok('GET', `${CONFIGMAPS}/settings`)).toEqual(current);
    });

    it('accepts a PUT carrying the current resourceVersion', async () => {
      const { current } = await twoVersions();
      const res = await api().call('PUT', `${CONFIGMAPS}/settings`, {
        body: makeConfigMap({
          metadata: { resourceVersion: current.metadata.resourceVersion },
          data: { 'log.level': 'warn' },
        }),
      });
      expect(res.status).toBe(200);
      expect(res.json.data).toEqual({ 'log.level': 'warn' });
    });

    it.each([
      ['a merge patch', 'application/merge-patch+json'],
      ['a strategic merge patch', 'application/strategic-merge-patch+json'],
    ])('refuses %s whose metadata.resourceVersion is stale', async (_, contentType) => {
      const { stale, current } = await twoVersions();
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('PATCH', `${CONFIGMAPS}/settings`, {
        body: { metadata: { resourceVersion: stale, labels: { touched: 'yes' } } },
        contentType,
      });
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({ code: 409, reason: 'Conflict', message: staleMessage });
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
      expect(await api().ok('GET', `${CONFIGMAPS}/settings`)).toEqual(current);
    });
  });

  describe('422 Invalid', () => {
    it('names each invalid field in details.causes', async () => {
      const before = await api().listState(PODS);
      const body = makePod({ spec: { containers: [makeContainer({ image: undefined }), { image: 'busybox:1.36' }] } });
      const res = await api().call('POST', PODS, { body });
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        code: 422,
        reason: 'Invalid',
        message:
          'Pod "web" is invalid: [spec.containers[0].image: Required value, spec.containers[1].name: Required value]',
      });
      expect(res.json.details).toEqual({
        name: 'web',
        kind: 'Pod',
        causes: [
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[1].name' },
        ],
      });
      expect(await api().listState(PODS)).toEqual(before);
    });

    it('uses the unbracketed message for a single cause', async () => {
      const res = await api().call('POST', PODS, {
        body: makePod({ spec: { containers: [makeContainer({ image: undefined })] } }),
      });
      expect(res.status).toBe(422);
      expect(res.json.message).toBe('Pod "web" is invalid: spec.containers[0].image: Required value');
    });

    it('refuses an invalid update and keeps the stored object', async () => {
      await api().ok('POST', PODS, { body: makePod() });
      const before = await api().listState(PODS);
      const res = await api().call('PATCH', `${PODS}/web`, {
        body: [{ op: 'replace', path: '/spec/containers/0/image', value: '' }],
        contentType: 'application/json-patch+json',
      });
      expect(res.status).toBe(422);
      expect(res.json.reason).toBe('Invalid');
      expect(res.json.details.causes.map((c: { field: string }) => c.field)).toContain('spec.containers[0].image');
      expect(await api().listState(PODS)).toEqual(before);
    });

    it('refuses an object whose stored form exceeds 350 KiB although the body is under 3 MiB', async () => {
      const before = await api().listState(CONFIGMAPS);
      const body = makeConfigMap({ data: { blob: 'x'.repeat(360 * 1024) } });
      const res = await api().call('POST', CONFIGMAPS, { body });
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({
        code: 422,
        reason: 'Invalid',
        details: { name: 'settings', kind: 'ConfigMap' },
      });
      expect(res.json.message).toMatch(/^ConfigMap "settings" is invalid: /);
      expect(res.json.details.causes).toHaveLength(1);
      expect(res.json.details.causes[0].reason).toBe('FieldValueTooLong');
      expect(res.json.details.causes[0].message).toContain(String(MAX_OBJECT_BYTES));
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });

    it('refuses an update that grows an object past 350 KiB', async () => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('PATCH', `${CONFIGMAPS}/settings`, {
        body: { data: { blob: 'y'.repeat(360 * 1024) } },
      });
      expect(res.status).toBe(422);
      expect(res.json.details.causes[0].reason).toBe('FieldValueTooLong');
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });
  });

  describe('fieldValidation', () => {
    const withUnknown = () => ({ ...makeConfigMap(), bogus: 1, spec: { replicas: 2 } });

    it('refuses unknown fields with 400 under Strict and stores nothing', async () => {
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('POST', CONFIGMAPS, { body: withUnknown(), query: { fieldValidation: 'Strict' } });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({
        code: 400,
        reason: 'BadRequest',
        message:
          'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus", unknown field "spec"',
      });
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });

    it('names nested unknown fields by their path under Strict', async () => {
      const body = makePod({ spec: { containers: [makeContainer({ imagePolicy: 'Always' })] } });
      const res = await api().call('POST', PODS, { body, query: { fieldValidation: 'Strict' } });
      expect(res.status).toBe(400);
      expect(res.json.message).toBe(
        'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePolicy"',
      );
    });

    it('stores the object and answers a warning header under Warn', async () => {
      const res = await api().call('POST', CONFIGMAPS, { body: withUnknown(), query: { fieldValidation: 'Warn' } });
      expect(res.status).toBe(201);
      expect(res.headers.warning).toBe('299 - "unknown field \\"bogus\\"", 299 - "unknown field \\"spec\\""');
      expect((await api().call('GET', `${CONFIGMAPS}/settings`)).status).toBe(200);
    });

    it('stores the object without a warning under Ignore', async () => {
      const res = await api().call('POST', CONFIGMAPS, { body: withUnknown(), query: { fieldValidation: 'Ignore' } });
      expect(res.status).toBe(201);
      expect(res.headers.warning).toBeUndefined();
    });

    it('refuses unknown fields in a patch result under Strict and keeps the object', async () => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('PATCH', `${CONFIGMAPS}/settings`, {
        body: { bogus: true },
        query: { fieldValidation: 'Strict' },
      });
      expect(res.status).toBe(400);
      expect(res.json.message).toContain('unknown field "bogus"');
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });
  });
});
