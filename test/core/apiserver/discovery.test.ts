/**
 * Discovery through the API: the legacy documents (`/api`, `/apis`,
 * `/api/v1`, `/apis/apps/v1`), aggregated discovery when the Accept header
 * asks for `apidiscovery.k8s.io/v2`, `/version` and the OpenAPI v3 index.
 */
import { describe, expect, it } from 'vitest';
import { AGGREGATED_DISCOVERY_TYPE } from '../../../core/apiserver/discovery.ts';
import { useApiHarness } from '../../support/api-harness.ts';

const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

type Resource = { name: string; [k: string]: unknown };
const byName = (list: { resources: Resource[] }, name: string) => list.resources.find((r) => r.name === name);

describe('API handler discovery', () => {
  const api = useApiHarness();

  it('serves /api as APIVersions with the server address', async () => {
    const res = await api().call('GET', '/api');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json).toEqual({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
    });
  });

  it('serves /apis as an APIGroupList with preferred versions', async () => {
    const res = await api().call('GET', '/apis');
    expect(res.json).toMatchObject({ kind: 'APIGroupList', apiVersion: 'v1' });
    const apps = res.json.groups.find((g: { name: string }) => g.name === 'apps');
    expect(apps).toEqual({
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
    expect(res.json.groups.map((g: { name: string }) => g.name)).not.toContain('');
  });

  it('serves /api/v1 as the core APIResourceList with subresources', async () => {
    const list = await api().ok('GET', '/api/v1');
    expect(list).toMatchObject({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1' });
    expect(byName(list, 'pods')).toEqual({
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
    });
    expect(byName(list, 'pods/status')).toMatchObject({
      namespaced: true,
      kind: 'Pod',
      verbs: ['get', 'patch', 'update'],
    });
    expect(byName(list, 'pods/binding')).toMatchObject({ kind: 'Binding', verbs: ['create'] });
    expect(byName(list, 'namespaces')).toMatchObject({ namespaced: false, shortNames: ['ns'] });
    expect(byName(list, 'namespaces/finalize')).toMatchObject({ verbs: ['update'] });
  });

  it('serves /apis/apps/v1 with the Scale subresource in autoscaling/v1', async () => {
    const list = await api().ok('GET', '/apis/apps/v1');
    expect(list).toMatchObject({ kind: 'APIResourceList', groupVersion: 'apps/v1' });
    expect(byName(list, 'deployments')).toMatchObject({
      kind: 'Deployment',
      shortNames: ['deploy'],
      categories: ['all'],
    });
    expect(byName(list, 'deployments/scale')).toMatchObject({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    });
  });

  it('answers 404 for a group/version it does not serve', async () => {
    const res = await api().call('GET', '/apis/example.com/v1');
    expect(res.status).toBe(404);
    expect(res.json.reason).toBe('NotFound');
  });

  describe('aggregated', () => {
    it('serves /apis as an APIGroupDiscoveryList with the aggregated Content-Type', async () => {
      const res = await api().call('GET', '/apis', { accept: AGGREGATED_ACCEPT });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(AGGREGATED_DISCOVERY_TYPE);
      expect(res.json).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
      const apps = res.json.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'apps');
      const v1 = apps.versions[0];
      expect(v1).toMatchObject({ version: 'v1', freshness: 'Current' });
      const deployments = v1.resources.find((r: { resource: string }) => r.resource === 'deployments');
      expect(deployments).toMatchObject({
        responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        scope: 'Namespaced',
        singularResource: 'deployment',
      });
      expect(deployments.subresources).toContainEqual({
        subresource: 'scale',
        responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
        verbs: ['get', 'patch', 'update'],
      });
    });

    it('serves /api as the core group only', async () => {
      const res = await api().call('GET', '/api', { accept: AGGREGATED_ACCEPT });
      expect(res.headers['content-type']).toBe(AGGREGATED_DISCOVERY_TYPE);
      expect(res.json.items).toHaveLength(1);
      const resources = res.json.items[0].versions[0].resources;
      expect(resources.find((r: { resource: string }) => r.resource === 'nodes')).toMatchObject({
        scope: 'Cluster',
        responseKind: { group: '', version: 'v1', kind: 'Node' },
      });
    });

    it('serves the legacy document when aggregated discovery is not the first choice', async () => {
      const res = await api().call('GET', '/apis', {
        accept: 'application/json,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      });
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.json.kind).toBe('APIGroupList');
    });
  });

  it('serves /version with a semver gitVersion', async () => {
    const res = await api().call('GET', '/version', { token: null });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ major: '1', minor: expect.stringMatching(/^\d+$/) });
    expect(res.json.gitVersion).toMatch(
      /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/,
    );
    expect(res.json.gitVersion.startsWith(`v${res.json.major}.${res.json.minor}.`)).toBe(true);
  });

  it('serves the OpenAPI v3 index and the documents it points at', async () => {
    const index = await api().ok('GET', '/openapi/v3');
    expect(Object.keys(index.paths)).toEqual(expect.arrayContaining(['api/v1', 'apis/apps/v1']));
    const url: string = index.paths['apis/apps/v1'].serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const doc = await api().call('GET', url);
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toMatch(/^3\.0\./);
    expect(Object.keys(doc.json.paths)).toContain('/apis/apps/v1/namespaces/{namespace}/deployments');
  });

  it('answers 404 for the OpenAPI document of an unknown group/version', async () => {
    const res = await api().call('GET', '/openapi/v3/apis/example.com/v1');
    expect(res.status).toBe(404);
  });
});
