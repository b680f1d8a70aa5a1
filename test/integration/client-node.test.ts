/**
 * `@kubernetes/client-node` against the local cluster: typed CRUD and an
 * informer (list + watch) that stays in sync while objects change.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../support/local-cluster.ts';

describe('@kubernetes/client-node', () => {
  let t: TestCluster;
  let kc: k8s.KubeConfig;
  beforeAll(async () => {
    t = await startTestCluster();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(t.kubeconfig);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('creates, reads, updates, patches and deletes through the typed clients', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: 'cn' } } });
    const created = await apps.createNamespacedDeployment({
      namespace: 'cn',
      body: {
        metadata: { name: 'api' },
        spec: {
          selector: { matchLabels: { app: 'api' } },
          template: {
            metadata: { labels: { app: 'api' } },
            spec: { containers: [{ name: 'api', image: 'registry.local/api:1' }] },
          },
        },
      },
    });
    expect(created.spec?.replicas).toBe(1);
    expect(created.spec?.strategy?.type).toBe('RollingUpdate');
    // Read-modify-write retried on 409, as clients must: the deployment controller writes status meanwhile.
    let replaced: k8s.V1Deployment | undefined;
    for (let attempt = 0; !replaced && attempt < 10; attempt++) {
      const read = await apps.readNamespacedDeployment({ name: 'api', namespace: 'cn' });
      read.spec!.replicas = 4;
      replaced = await apps.replaceNamespacedDeployment({ name: 'api', namespace: 'cn', body: read }).catch((e) => {
        if (String(e).includes('409')) return undefined;
        throw e;
      });
    }
    if (!replaced) throw new Error('replace kept conflicting');
    expect(replaced.spec?.replicas).toBe(4);
    expect(replaced.metadata?.generation).toBe(2);
    const patched = await core
      .patchNamespacedConfigMap(
        { name: 'cfg', namespace: 'cn', body: { data: { b: '2' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      )
      .catch((e) => e);
    expect(String(patched)).toContain('404');
    await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
    const cm = await core.patchNamespacedConfigMap(
      { name: 'cfg', namespace: 'cn', body: { data: { b: '2' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(cm.data).toEqual({ a: '1', b: '2' });
    const list = await core.listNamespacedConfigMap({ namespace: 'cn' });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['cfg']);
    await core.deleteNamespacedConfigMap({ name: 'cfg', namespace: 'cn' });
    await expect(core.readNamespacedConfigMap({ name: 'cfg', namespace: 'cn' })).rejects.toThrow(/404|not found/i);
  });

  it('keeps an informer in sync while objects change', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'inf' } } });
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/inf/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'inf' }),
    );
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata?.name}:${o.data?.v}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata?.name}`));
    await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'pre' }, data: { v: '0' } } });
    await informer.start();
    try {
      for (let i = 0; i < 5; i++) {
        await core.createNamespacedConfigMap({
          namespace: 'inf',
          body: { metadata: { name: `c${i}` }, data: { v: '1' } },
        });
      }
      await core.patchNamespacedConfigMap(
        { name: 'c2', namespace: 'inf', body: { data: { v: '2' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedConfigMap({ name: 'c4', namespace: 'inf' });
      await eventually(() => seen.includes('delete:c4') && seen.includes('update:c2:2'));
      const cached = informer
        .list('inf')
        .map((o) => o.metadata?.name)
        .sort();
      expect(cached).toEqual(['c0', 'c1', 'c2', 'c3', 'pre']);
      expect(seen).toContain('add:pre');
    } finally {
      await informer.stop();
    }
  });
});
