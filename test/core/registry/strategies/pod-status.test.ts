import { describe, expect, it } from 'vitest';
import { adminCtx, makeRegistry, PODS } from '../../../support/memory-registry.ts';

const pod = {
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { keep: 'me' } },
  spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'busybox:1.36' }] },
};

describe('pods/status', () => {
  it('keeps label and annotation changes sent with the status, as Kubernetes does, but never spec changes', async () => {
    const { registry, store } = await makeRegistry();
    try {
      const created = await registry.create(adminCtx(), PODS, 'default', structuredClone(pod));
      const body = structuredClone(created) as typeof created & { spec: { containers: { image: string }[] } };
      body.metadata.annotations = { keep: 'me', 'skube.io/published-ports': '{"8080/TCP":32768}' };
      body.spec.containers[0].image = 'changed:1';
      body.status = { phase: 'Running', podIP: '172.17.0.2' };
      const updated = (await registry.update(adminCtx(), PODS, 'default', 'web', body, 'status')) as typeof body;
      expect(updated.metadata.annotations).toEqual({ keep: 'me', 'skube.io/published-ports': '{"8080/TCP":32768}' });
      expect(updated.spec.containers[0].image).toBe('busybox:1.36');
      expect(updated.status).toMatchObject({ phase: 'Running', podIP: '172.17.0.2' });
    } finally {
      await store.close();
    }
  });

  it('leaves labels and annotations alone when the status body has none', async () => {
    const { registry, store } = await makeRegistry();
    try {
      const created = await registry.create(adminCtx(), PODS, 'default', structuredClone(pod));
      const body = {
        ...created,
        metadata: { name: 'web', namespace: 'default', resourceVersion: created.metadata.resourceVersion },
      };
      const updated = await registry.update(
        adminCtx(),
        PODS,
        'default',
        'web',
        { ...body, status: { phase: 'Running' } },
        'status',
      );
      expect(updated.metadata.annotations).toEqual({ keep: 'me' });
      expect(updated.metadata.labels).toEqual({ app: 'web' });
    } finally {
      await store.close();
    }
  });
});
