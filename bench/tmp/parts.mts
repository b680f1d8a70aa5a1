import { applyDefaults } from '../../core/api/defaulting/index.ts';
import { findResource } from '../../core/api/resources.ts';
import { validateObject } from '../../core/api/validation/index.ts';
import { findUnknownFields } from '../../core/api/validation/unknown-fields.ts';
import { createSqliteStore } from '../../core/storage/sqlite/sqlite-store.ts';

const info = findResource('', 'v1', 'pods')!;
const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: 'bench' } },
  spec: {
    containers: [
      { name: 'app', image: 'x:1', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '100m' } } },
    ],
  },
});
const N = 5000;
function time(label: string, f: (i: number) => unknown) {
  const t = performance.now();
  for (let i = 0; i < N; i++) f(i);
  console.log(label, (((performance.now() - t) * 1000) / N).toFixed(1), 'us/op');
}
time('defaults', (i) => applyDefaults(info, pod('p' + i) as any));
const d = applyDefaults(info, pod('p') as any);
time('validate', () => validateObject(info, d));
time('unknown', () => findUnknownFields(info, pod('p')));
time('stringify', () => JSON.stringify(d));
time('clone', () => structuredClone(d));
const store = createSqliteStore({ path: '/tmp/parts' + Date.now() + '.db' });
const t = performance.now();
for (let i = 0; i < N; i++)
  await store.create(
    { resource: 'pods', namespace: 'default', name: 'p' + i },
    { ...d, metadata: { ...d.metadata, name: 'p' + i } },
  );
console.log('store.create', (((performance.now() - t) * 1000) / N).toFixed(1), 'us/op');
