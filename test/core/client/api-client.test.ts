import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, resourcePath } from '../../../core/client/api-client.ts';
import { startInformer } from '../../../core/client/informer.ts';
import { loadKubeconfig, parseKubeconfig } from '../../../core/client/kubeconfig.ts';
import { isConflict, isNotFound, StatusError } from '../../../core/errors/status.ts';
import { eventually, startTestCluster, type TestCluster } from '../../support/local-cluster.ts';

interface Cm {
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  data?: Record<string, string>;
}

describe('ApiClient against a local cluster', () => {
  let t: TestCluster;
  let client: ApiClient;
  const cms = resourcePath({ resource: 'configmaps', namespace: 'default' });
  beforeAll(async () => {
    t = await startTestCluster({ scheduler: false, controllers: false });
    client = new ApiClient(loadKubeconfig(t.kubeconfig));
  });
  afterAll(async () => {
    client?.close();
    await t?.cleanup();
  });

  it('builds resource paths for core and grouped resources', () => {
    expect(resourcePath({ resource: 'pods', namespace: 'ns', name: 'p', subresource: 'status' })).toBe(
      '/api/v1/namespaces/ns/pods/p/status',
    );
    expect(resourcePath({ group: 'apps', resource: 'deployments' })).toBe('/apis/apps/v1/deployments');
    expect(
      resourcePath({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'n1' }),
    ).toBe('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1');
  });

  it('creates, reads, patches and deletes, rebuilding Status errors', async () => {
    const made = await client.create<Cm>(cms, { metadata: { name: 'a' }, data: { k: 'v' } });
    expect(made.metadata.resourceVersion).toBeTruthy();
    const got = await client.get<Cm>(`${cms}/a`);
    expect(got.data).toEqual({ k: 'v' });
    const patched = await client.patch<Cm>(`${cms}/a`, { data: { k2: 'v2' } }, 'merge');
    expect(patched.data).toEqual({ k: 'v', k2: 'v2' });
    const stale = await client.update<Cm>(`${cms}/a`, { ...got, data: {} }).catch((e) => e);
    expect(isConflict(stale)).toBe(true);
    await client.delete(`${cms}/a`);
    const missing = await client.get(`${cms}/a`).catch((e) => e);
    expect(missing).toBeInstanceOf(StatusError);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as StatusError).status.code).toBe(404);
  });

  it('refuses a wrong token with 401', async () => {
    const bad = new ApiClient({ ...loadKubeconfig(t.kubeconfig), token: 'nope' });
    const e = (await bad.list(cms).catch((x) => x)) as StatusError;
    bad.close();
    expect(e.status.code).toBe(401);
  });

  it('keeps an informer cache in step with creates, updates and deletes', async () => {
    await client.create<Cm>(cms, { metadata: { name: 'before' } });
    const informer = startInformer<Cm>(client, cms);
    const seen: string[] = [];
    informer.on((type, o, old) => seen.push(`${type} ${o.metadata.name}${old ? ' (had old)' : ''}`));
    await informer.synced;
    expect(informer.get('default', 'before')).toBeDefined();
    await client.create<Cm>(cms, { metadata: { name: 'b' } });
    await client.patch(`${cms}/b`, { data: { x: '1' } }, 'merge');
    await client.delete(`${cms}/before`);
    await eventually(() => seen.length >= 4);
    informer.stop();
    expect(seen).toEqual(['ADDED before', 'ADDED b', 'MODIFIED b (had old)', 'DELETED before (had old)']);
    expect(informer.get('default', 'b')?.data).toEqual({ x: '1' });
    expect(informer.get('default', 'before')).toBeUndefined();
  });

  it('parses a kubeconfig and names a missing context', () => {
    const text = `apiVersion: v1
kind: Config
current-context: c
contexts: [{ name: c, context: { cluster: k, user: u, namespace: team } }]
clusters: [{ name: k, cluster: { server: "https://127.0.0.1:1/" } }]
users: [{ name: u, user: { token: t0 } }]
`;
    expect(parseKubeconfig(text)).toEqual({
      server: 'https://127.0.0.1:1',
      token: 't0',
      namespace: 'team',
      caCert: undefined,
    });
    expect(() => parseKubeconfig(text, 'other')).toThrow('context "other" not found');
  });
});
