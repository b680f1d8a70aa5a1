import { randomUUID } from 'node:crypto';
import { findResource } from '../../core/api/resources.ts';
import { createApiHandler } from '../../core/apiserver/handler.ts';
import { silentLogger } from '../../core/apiserver/types.ts';
import { Registry } from '../../core/registry/registry.ts';
import { createSqliteStore } from '../../core/storage/sqlite/sqlite-store.ts';

const store = createSqliteStore({ path: '/tmp/prof2-' + Date.now() + '.db' });
const registry = new Registry({
  store,
  uid: randomUUID,
  random: Math.random,
  serviceCidr: '10.96.0.0/12',
  nodePortRange: { min: 30000, max: 32767 },
});
const handler = createApiHandler({
  registry,
  authenticators: [{ authenticate: async () => ({ name: 'a', groups: ['system:masters'] }) }],
  authorizer: { authorize: async () => ({ allowed: true }) },
  logger: silentLogger,
  now: () => new Date(),
  garbageCollector: false,
  serverAddress: 'x',
});
await registry.create(
  { user: { name: 'a', groups: [] }, now: new Date(), dryRun: false },
  findResource('', 'v1', 'namespaces')!,
  '',
  { metadata: { name: 'default' } },
);
const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'bench' } },
  spec: {
    containers: [
      { name: 'app', image: 'x:1', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '100m' } } },
    ],
  },
});
for (const C of [1, 32]) {
  const N = 3000;
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      for (;;) {
        const i = next++;
        if (i >= N) return;
        const r = await handler({
          method: 'POST',
          path: '/api/v1/namespaces/default/pods',
          query: new URLSearchParams('fieldValidation=Strict'),
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify(pod(`c${C}-${i}`))),
        });
        if (r.status !== 201) throw new Error(String(r.body));
      }
    }),
  );
  console.log('clients', C, 'create/s', Math.round(N / ((performance.now() - t) / 1000)));
}
