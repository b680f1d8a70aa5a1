/**
 * Server-side Tables through the API (`Accept: ...;as=Table;v=v1;g=meta.k8s.io`):
 * Kubernetes' pod columns, row cells and row objects, ages from the injected
 * clock, and plain JSON — never 406 — for any Accept the server does not
 * recognise.
 */
import { describe, expect, it } from 'vitest';
import { makeConfigMap, makePod } from '../../fixtures/objects.ts';
import { useApiHarness } from '../../support/api-harness.ts';

const PODS = '/api/v1/namespaces/default/pods';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const KUBECTL_GET =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('API handler tables', () => {
  const api = useApiHarness();

  it.each([
    ['the bare Table type', TABLE],
    ['what kubectl get sends', KUBECTL_GET],
  ])('answers a pod list as a Table with Kubernetes pod columns for %s', async (_, accept) => {
    await api().ok('POST', PODS, { body: makePod() });
    api().clock.advance(90_000);
    const res = await api().call('GET', PODS, { accept });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '1' } });
    const columns = res.json.columnDefinitions.map((c: { name: string; priority: number }) => [c.name, c.priority]);
    expect(columns).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ]);
    expect(res.json.columnDefinitions[0]).toMatchObject({ type: 'string', format: 'name' });
    expect(res.json.rows).toHaveLength(1);
    expect(res.json.rows[0].cells).toEqual([
      'web',
      '0/1',
      'Pending',
      '0',
      '90s',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
    expect(res.json.rows[0].object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: expect.objectContaining({ name: 'web', namespace: 'default', resourceVersion: '1' }),
    });
  });

  it('answers a single object as a one-row Table', async () => {
    await api().ok('POST', PODS, { body: makePod() });
    const res = await api().call('GET', `${PODS}/web`, { accept: TABLE });
    expect(res.json.kind).toBe('Table');
    expect(res.json.rows.map((r: { cells: unknown[] }) => r.cells[0])).toEqual(['web']);
  });

  it('carries the whole object in rows for includeObject=Object and none for None', async () => {
    await api().ok('POST', PODS, { body: makePod() });
    const full = await api().call('GET', PODS, { accept: TABLE, query: { includeObject: 'Object' } });
    expect(full.json.rows[0].object).toMatchObject({
      kind: 'Pod',
      apiVersion: 'v1',
      spec: { restartPolicy: 'Always' },
    });
    const none = await api().call('GET', PODS, { accept: TABLE, query: { includeObject: 'None' } });
    expect(none.json.rows[0].object).toBeUndefined();
  });

  it('keeps the continue token of a paged Table', async () => {
    for (const name of ['a', 'b', 'c']) await api().ok('POST', PODS, { body: makePod({ metadata: { name } }) });
    const res = await api().call('GET', PODS, { accept: TABLE, query: { limit: 2 } });
    expect(res.json.rows).toHaveLength(2);
    expect(res.json.metadata.continue).toBeTruthy();
  });

  it('uses the ConfigMap printer: Name, Data, Age', async () => {
    await api().ok('POST', '/api/v1/namespaces/default/configmaps', { body: makeConfigMap() });
    const res = await api().call('GET', '/api/v1/namespaces/default/configmaps', { accept: TABLE });
    expect(res.json.kind).toBe('Table');
    expect(res.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(res.json.rows[0].cells).toEqual(['settings', 1, '0s']);
  });

  it.each([
    'application/json',
    'application/vnd.kubernetes.protobuf,application/json',
    'application/x-unknown',
    'text/html',
    'application/json;as=Table;v=v1;g=example.com',
    '*/*',
  ])('answers plain JSON, never 406, for Accept %s', async (accept) => {
    await api().ok('POST', '/api/v1/namespaces/default/configmaps', { body: makeConfigMap() });
    const res = await api().call('GET', '/api/v1/namespaces/default/configmaps/settings', { accept });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'settings' } });
  });
});
