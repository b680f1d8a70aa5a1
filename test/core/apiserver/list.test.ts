/**
 * LIST through the API: label selectors (equality and set-based), field
 * selectors per kind, limit/continue pagination with a consistent
 * resourceVersion, namespaces that do not exist, cluster-scoped lists, and
 * the `<Kind>List` envelope.
 */
import { describe, expect, it } from 'vitest';
import { makeBinding, makeConfigMap, makeDeployment, makePod } from '../../fixtures/objects.ts';
import { useApiHarness } from '../../support/api-harness.ts';

const PODS = '/api/v1/namespaces/default/pods';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

type Named = { metadata: { name: string; namespace?: string } };
const names = (list: { items: Named[] }) => list.items.map((i) => i.metadata.name);

describe('API handler list', () => {
  const api = useApiHarness();

  describe('label selectors', () => {
    async function seed() {
      const labels: Record<string, Record<string, string>> = {
        a: { tier: 'web', env: 'prod' },
        b: { tier: 'web', env: 'dev' },
        c: { tier: 'db', env: 'prod' },
        d: {},
      };
      for (const [name, l] of Object.entries(labels)) {
        await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { name, labels: l } }) });
      }
    }

    it.each([
      ['tier=web', ['a', 'b']],
      ['tier==web', ['a', 'b']],
      ['tier!=web', ['c', 'd']],
      ['tier=web,env=prod', ['a']],
      ['tier in (web,db)', ['a', 'b', 'c']],
      ['env notin (prod)', ['b', 'd']],
      ['tier', ['a', 'b', 'c']],
      ['!tier', ['d']],
      ['tier in (web),env!=dev', ['a']],
    ])('selects %s', async (selector, expected) => {
      await seed();
      const list = await api().ok('GET', CONFIGMAPS, { query: { labelSelector: selector } });
      expect(names(list)).toEqual(expected);
    });

    it('refuses a malformed label selector with 400', async () => {
      const res = await api().call('GET', CONFIGMAPS, { query: { labelSelector: 'tier in web' } });
      expect(res.status).toBe(400);
      expect(res.json.reason).toBe('BadRequest');
    });
  });

  describe('field selectors', () => {
    it('selects by metadata.name', async () => {
      for (const name of ['a', 'b'])
        await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { name } }) });
      expect(names(await api().ok('GET', CONFIGMAPS, { query: { fieldSelector: 'metadata.name=b' } }))).toEqual(['b']);
      expect(names(await api().ok('GET', CONFIGMAPS, { query: { fieldSelector: 'metadata.name!=b' } }))).toEqual(['a']);
    });

    it('selects by metadata.namespace across namespaces', async () => {
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { name: 'a' } }) });
      await api().ok('POST', '/api/v1/namespaces/kube-system/configmaps', {
        body: makeConfigMap({ metadata: { name: 'b', namespace: 'kube-system' } }),
      });
      const list = await api().ok('GET', '/api/v1/configmaps', {
        query: { fieldSelector: 'metadata.namespace=kube-system' },
      });
      expect(list.items.map((i: Named) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual(['kube-system/b']);
    });

    it('selects pods by spec.nodeName, including unscheduled ones by an empty value', async () => {
      for (const name of ['bound', 'pending']) await api().ok('POST', PODS, { body: makePod({ metadata: { name } }) });
      await api().ok('POST', `${PODS}/bound/binding`, { body: makeBinding({ metadata: { name: 'bound' } }) });
      expect(names(await api().ok('GET', PODS, { query: { fieldSelector: 'spec.nodeName=node-1' } }))).toEqual([
        'bound',
      ]);
      expect(names(await api().ok('GET', PODS, { query: { fieldSelector: 'spec.nodeName=' } }))).toEqual(['pending']);
    });

    it('selects pods by status.phase', async () => {
      for (const name of ['running', 'waiting'])
        await api().ok('POST', PODS, { body: makePod({ metadata: { name } }) });
      await api().ok('PATCH', `${PODS}/running/status`, { body: { status: { phase: 'Running' } } });
      expect(names(await api().ok('GET', PODS, { query: { fieldSelector: 'status.phase=Running' } }))).toEqual([
        'running',
      ]);
      expect(names(await api().ok('GET', PODS, { query: { fieldSelector: 'status.phase!=Running' } }))).toEqual([
        'waiting',
      ]);
    });

    it('combines a field selector with a label selector', async () => {
      await api().ok('POST', PODS, { body: makePod({ metadata: { name: 'a', labels: { app: 'x' } } }) });
      await api().ok('POST', PODS, { body: makePod({ metadata: { name: 'b', labels: { app: 'y' } } }) });
      const list = await api().ok('GET', PODS, {
        query: { fieldSelector: 'status.phase=Pending', labelSelector: 'app=y' },
      });
      expect(names(list)).toEqual(['b']);
    });

    it.each([
      [PODS, 'field label not supported: spec.foo'],
      [CONFIGMAPS, '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ])('refuses an unsupported field on %s with 400', async (path, message) => {
      const res = await api().call('GET', path, { query: { fieldSelector: 'spec.foo=bar' } });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest', message });
    });
  });

  describe('pagination', () => {
    async function seed25() {
      for (let i = 0; i < 25; i++) {
        await api().ok('POST', CONFIGMAPS, {
          body: makeConfigMap({ metadata: { name: `cm-${String(i).padStart(2, '0')}` } }),
        });
      }
    }

    it('pages 25 objects in pages of 10 at one resourceVersion, ignoring writes in between', async () => {
      await seed25();
      const first = await api().ok('GET', CONFIGMAPS, { query: { limit: 10 } });
      expect(first.items).toHaveLength(10);
      expect(first.metadata.continue).toBeTruthy();

      // Writes between pages must not show up: the pages are a snapshot of the first page's revision.
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { name: 'cm-99-late' } }) });
      await api().ok('DELETE', `${CONFIGMAPS}/cm-24`);

      const second = await api().ok('GET', CONFIGMAPS, { query: { limit: 10, continue: first.metadata.continue } });
      const third = await api().ok('GET', CONFIGMAPS, { query: { limit: 10, continue: second.metadata.continue } });
      expect(second.items).toHaveLength(10);
      expect(third.items).toHaveLength(5);
      expect(third.metadata.continue).toBeUndefined();
      for (const page of [second, third]) expect(page.metadata.resourceVersion).toBe(first.metadata.resourceVersion);

      const all = [...names(first), ...names(second), ...names(third)];
      expect(all).toEqual(Array.from({ length: 25 }, (_, i) => `cm-${String(i).padStart(2, '0')}`));
    });

    it('applies the selector before the limit counts', async () => {
      await seed25();
      const list = await api().ok('GET', CONFIGMAPS, { query: { limit: 2, fieldSelector: 'metadata.name!=cm-00' } });
      expect(names(list)).toEqual(['cm-01', 'cm-02']);
    });

    it('refuses a continue token it did not issue with 400', async () => {
      const res = await api().call('GET', CONFIGMAPS, { query: { limit: 10, continue: 'not-a-token' } });
      expect(res.status).toBe(400);
      expect(res.json.reason).toBe('BadRequest');
    });

    it('answers 410 Expired for a continue token older than the compacted log', async () => {
      await seed25();
      const first = await api().ok('GET', CONFIGMAPS, { query: { limit: 10 } });
      await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { name: 'later' } }) });
      await api().store.compact('configmaps', Number(first.metadata.resourceVersion) + 1);
      const res = await api().call('GET', CONFIGMAPS, { query: { limit: 10, continue: first.metadata.continue } });
      expect(res.status).toBe(410);
      expect(res.json).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
      expect(res.json.message).toMatch(
        /^The provided continue parameter is too old to display a consistent list result\./,
      );
    });
  });

  it('answers an empty list for a namespace that does not exist', async () => {
    await api().ok('POST', CONFIGMAPS, { body: makeConfigMap() });
    const res = await api().call('GET', '/api/v1/namespaces/nowhere/configmaps');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      kind: 'ConfigMapList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '1' },
      items: [],
    });
  });

  it('lists cluster-scoped namespaces with their kind and apiVersion', async () => {
    const list = await api().ok('GET', '/api/v1/namespaces');
    expect(list).toMatchObject({ kind: 'NamespaceList', apiVersion: 'v1' });
    expect(names(list).sort()).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    for (const item of list.items) expect(item).toMatchObject({ kind: 'Namespace', apiVersion: 'v1' });
  });

  it('answers an empty NodeList with resourceVersion 0 when no node was ever written', async () => {
    expect(await api().ok('GET', '/api/v1/nodes')).toEqual({
      kind: 'NodeList',
      apiVersion: 'v1',
      metadata: { resourceVersion: '0' },
      items: [],
    });
  });

  it('lists every namespace from the cluster-wide URL', async () => {
    await api().ok('POST', CONFIGMAPS, { body: makeConfigMap({ metadata: { name: 'a' } }) });
    await api().ok('POST', '/api/v1/namespaces/kube-system/configmaps', {
      body: makeConfigMap({ metadata: { name: 'b', namespace: 'kube-system' } }),
    });
    const list = await api().ok('GET', '/api/v1/configmaps');
    expect(list.items.map((i: Named) => `${i.metadata.namespace}/${i.metadata.name}`).sort()).toEqual([
      'default/a',
      'kube-system/b',
    ]);
  });

  it('wraps a named group in <Kind>List with its group/version and typed items', async () => {
    await api().ok('POST', '/apis/apps/v1/namespaces/default/deployments', { body: makeDeployment() });
    const list = await api().ok('GET', '/apis/apps/v1/namespaces/default/deployments');
    expect(list).toMatchObject({ kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: '1' } });
    expect(list.items).toEqual([expect.objectContaining({ kind: 'Deployment', apiVersion: 'apps/v1' })]);
  });
});
