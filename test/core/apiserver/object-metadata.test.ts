/**
 * Object metadata the API server owns: uid and creationTimestamp on create
 * (from the injected clock), generateName, generation bumps on spec changes
 * only, per-type resourceVersions, refusal of a client resourceVersion on
 * create, and dryRun=All storing nothing.
 */
import { describe, expect, it } from 'vitest';
import { makeConfigMap, makeDeployment, makePod } from '../../fixtures/objects.ts';
import { CLOCK_START, useApiHarness } from '../../support/api-harness.ts';

const PODS = '/api/v1/namespaces/default/pods';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

describe('API handler object metadata', () => {
  const api = useApiHarness();

  it('sets uid and creationTimestamp from the clock, ignoring client values', async () => {
    const pod = await api().ok('POST', PODS, {
      body: makePod({ metadata: { uid: 'client-uid', creationTimestamp: '2000-01-01T00:00:00Z' } }),
    });
    expect(pod.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(pod.metadata.uid).not.toBe('client-uid');
    expect(pod.metadata.creationTimestamp).toBe(CLOCK_START.toISOString().replace('.000Z', 'Z'));

    api().clock.advance(90_000);
    const later = await api().ok('POST', PODS, { body: makePod({ metadata: { name: 'later' } }) });
    expect(later.metadata.creationTimestamp).toBe('2025-01-01T00:01:30Z');
    expect(later.metadata.uid).not.toBe(pod.metadata.uid);
  });

  it('keeps uid and creationTimestamp when an update tries to change them', async () => {
    const created = await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
    api().clock.advance(5_000);
    const updated = await api().ok('PUT', `${CONFIGMAPS}/settings`, {
      body: makeConfigMap({ metadata: { uid: 'other', creationTimestamp: '2030-01-01T00:00:00Z' }, data: { a: 'b' } }),
    });
    expect(updated.metadata.uid).toBe(created.metadata.uid);
    expect(updated.metadata.creationTimestamp).toBe(created.metadata.creationTimestamp);
  });

  it('names an object from generateName with a 5-character suffix', async () => {
    const body = makePod({ metadata: { name: undefined, generateName: 'web-' } });
    const a = await api().ok('POST', PODS, { body });
    const b = await api().ok('POST', PODS, { body });
    for (const pod of [a, b]) {
      expect(pod.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(pod.metadata.generateName).toBe('web-');
    }
    expect(a.metadata.name).not.toBe(b.metadata.name);
    expect((await api().call('GET', `${PODS}/${a.metadata.name}`)).status).toBe(200);
  });

  describe('generation', () => {
    it('starts at 1 and moves only when the spec changes', async () => {
      const created = await api().ok('POST', DEPLOYMENTS, { body: makeDeployment() });
      expect(created.metadata.generation).toBe(1);

      const labelled = await api().ok('PATCH', `${DEPLOYMENTS}/web`, { body: { metadata: { labels: { team: 'a' } } } });
      expect(labelled.metadata.generation).toBe(1);

      const status = await api().ok('PATCH', `${DEPLOYMENTS}/web/status`, { body: { status: { replicas: 1 } } });
      expect(status.metadata.generation).toBe(1);

      const scaled = await api().ok('PATCH', `${DEPLOYMENTS}/web`, { body: { spec: { replicas: 3 } } });
      expect(scaled.metadata.generation).toBe(2);

      const image = await api().ok('PATCH', `${DEPLOYMENTS}/web`, {
        body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } },
        contentType: 'application/strategic-merge-patch+json',
      });
      expect(image.metadata.generation).toBe(3);
    });

    it('ignores a generation sent by the client', async () => {
      const created = await api().ok('POST', DEPLOYMENTS, { body: makeDeployment({ metadata: { generation: 7 } }) });
      expect(created.metadata.generation).toBe(1);
      const updated = await api().ok('PATCH', `${DEPLOYMENTS}/web`, { body: { metadata: { generation: 9 } } });
      expect(updated.metadata.generation).toBe(1);
    });

    it('is absent on kinds without a spec generation', async () => {
      const cm = await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { generation: 4 } }) });
      expect(cm.metadata.generation).toBeUndefined();
    });
  });

  describe('resourceVersion', () => {
    it('increases with every write of a type, independently of other types', async () => {
      const p1 = await api().ok('POST', PODS, { body: makePod({ metadata: { name: 'p1' } }) });
      const c1 = await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { name: 'c1' } }) });
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { name: 'c2' } }) });
      const p2 = await api().ok('POST', PODS, { body: makePod({ metadata: { name: 'p2' } }) });
      const p1b = await api().ok('PATCH', `${PODS}/p1`, { body: { metadata: { labels: { x: 'y' } } } });

      const rv = (o: { metadata: { resourceVersion: string } }) => Number(o.metadata.resourceVersion);
      expect(rv(p2)).toBe(rv(p1) + 1);
      expect(rv(p1b)).toBe(rv(p2) + 1);
      expect(rv(c1)).toBe(1);
      expect((await api().listState(PODS)).resourceVersion).toBe(String(rv(p1b)));
      expect((await api().listState(CONFIGMAPS)).resourceVersion).toBe('2');
    });

    it('does not move when an update changes nothing', async () => {
      const created = await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      const same = await api().ok('PUT', `${CONFIGMAPS}/settings`, { body: makeConfigMap() });
      expect(same.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      expect((await api().listState(CONFIGMAPS)).resourceVersion).toBe(created.metadata.resourceVersion);
    });

    it('refuses a create that carries a resourceVersion and stores nothing', async () => {
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('POST', CONFIGMAPS, {
        body: makeConfigMap({ metadata: { resourceVersion: '12' } }),
      });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({
        kind: 'Status',
        reason: 'BadRequest',
        message: 'resourceVersion should not be set on objects to be created',
      });
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });
  });

  describe('dryRun=All', () => {
    it('returns the would-be object of a create and stores nothing', async () => {
      const before = await api().listState(PODS);
      const res = await api().call('POST', PODS, { body: makePod(), query: { dryRun: 'All' } });
      expect(res.status).toBe(201);
      expect(res.json.metadata.uid).toBeTruthy();
      expect(res.json.metadata.resourceVersion).toBeUndefined();
      expect(res.json.spec.restartPolicy).toBe('Always');
      expect((await api().call('GET', `${PODS}/web`)).status).toBe(404);
      expect(await api().listState(PODS)).toEqual(before);
    });

    it('returns the patched object of an update and keeps the stored one', async () => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('PATCH', `${CONFIGMAPS}/settings`, {
        body: { data: { a: 'b' } },
        query: { dryRun: 'All' },
      });
      expect(res.status).toBe(200);
      expect(res.json.data).toEqual({ 'log.level': 'info', a: 'b' });
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });

    it('keeps an object a dry-run delete names', async () => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
      const before = await api().listState(CONFIGMAPS);
      const res = await api().call('DELETE', `${CONFIGMAPS}/settings`, { query: { dryRun: 'All' } });
      expect(res.status).toBe(200);
      expect(await api().listState(CONFIGMAPS)).toEqual(before);
    });

    it('refuses a dryRun value other than All', async () => {
      const res = await api().call('POST', CONFIGMAPS, { body: makeConfigMap(), query: { dryRun: 'Yes' } });
      expect(res.status).toBe(400);
      expect(res.json.reason).toBe('BadRequest');
      expect((await api().call('GET', `${CONFIGMAPS}/settings`)).status).toBe(404);
    });
  });
});
