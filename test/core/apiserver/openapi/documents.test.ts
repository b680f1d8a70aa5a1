import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { groupVersion, RESOURCES } from '../../../../core/api/resources.ts';
import { openApiGroupVersion, openApiIndex, openApiV2Protobuf } from '../../../../core/apiserver/openapi/documents.ts';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, unknown> };
};
const index = () => openApiIndex() as { paths: Record<string, { serverRelativeURL: string }> };
const doc = (key: string) => openApiGroupVersion(key) as Doc;
const gvKey = (info: { group: string; version: string }) =>
  info.group ? `apis/${info.group}/${info.version}` : `api/${info.version}`;
const operations = (d: Doc) =>
  Object.entries(d.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([verb]) => verb !== 'parameters')
      .map(([verb, op]) => ({ path, verb, op })),
  );
const FIELD_VALIDATION = { name: 'fieldValidation', in: 'query', schema: expect.objectContaining({ type: 'string' }) };

describe('openApiIndex', () => {
  it('lists every served group/version with a hashed URL', () => {
    const keys = [...new Set(RESOURCES.map(gvKey))];
    expect(Object.keys(index().paths).sort()).toEqual(keys.sort());
    expect(index().paths['api/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{32}$/);
    expect(index().paths['apis/apps/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
  });

  it('derives each hash from the content of its document', () => {
    for (const [key, { serverRelativeURL }] of Object.entries(index().paths)) {
      const hash = createHash('sha256')
        .update(JSON.stringify(doc(key)))
        .digest('hex')
        .slice(0, 32)
        .toUpperCase();
      expect(serverRelativeURL).toBe(`/openapi/v3/${key}?hash=${hash}`);
    }
    expect(new Set(Object.values(index().paths).map((p) => p.serverRelativeURL.split('=')[1])).size).toBe(
      Object.keys(index().paths).length,
    );
  });
});

describe('openApiGroupVersion', () => {
  it('accepts the path with or without the /openapi/v3 prefix and hash', () => {
    expect(openApiGroupVersion('/openapi/v3/apis/apps/v1?hash=ABC')).toBe(openApiGroupVersion('apis/apps/v1'));
    expect(openApiGroupVersion('/api/v1')).toBe(openApiGroupVersion('api/v1'));
  });

  it('returns undefined for a group/version that is not served', () => {
    expect(openApiGroupVersion('apis/batch/v1')).toBeUndefined();
    expect(openApiGroupVersion('api/v2')).toBeUndefined();
  });

  it('serves collection, item and all-namespaces paths for pods', () => {
    const paths = doc('api/v1').paths;
    expect(Object.keys(paths['/api/v1/namespaces/{namespace}/pods']).sort()).toEqual([
      'delete',
      'get',
      'parameters',
      'post',
    ]);
    expect(Object.keys(paths['/api/v1/namespaces/{namespace}/pods/{name}']).sort()).toEqual([
      'delete',
      'get',
      'parameters',
      'patch',
      'put',
    ]);
    expect(paths['/api/v1/pods'].get.operationId).toBe('listCoreV1PodForAllNamespaces');
    expect(paths['/api/v1/nodes/{name}'].patch.operationId).toBe('patchCoreV1Node');
    expect(paths['/api/v1/namespaces/{namespace}/pods/{name}/status'].patch).toBeDefined();
    expect(paths['/api/v1/namespaces/{namespace}/pods/{name}/log']).toBeUndefined();
  });

  it.each(RESOURCES.filter((r) => r.verbs.includes('patch')).map((r) => [groupVersion(r), r.kind, r] as const))(
    'advertises fieldValidation on a PATCH of %s %s',
    (_gv, _kind, info) => {
      const gvk = { group: info.group, version: info.version, kind: info.kind };
      const patches = operations(doc(gvKey(info))).filter(
        (o) => o.verb === 'patch' && JSON.stringify(o.op['x-kubernetes-group-version-kind']) === JSON.stringify(gvk),
      );
      expect(patches.length).toBeGreaterThan(0);
    },
  );

  it.each([...new Set(RESOURCES.map(gvKey))])(
    'gives every write operation in %s a GVK object and an inline fieldValidation parameter',
    (key) => {
      const writes = operations(doc(key)).filter((o) => ['patch', 'post', 'put'].includes(o.verb));
      expect(writes.length).toBeGreaterThan(0);
      for (const { path, verb, op } of writes) {
        const where = `${verb} ${path}`;
        expect(op['x-kubernetes-group-version-kind'], where).toEqual({
          group: expect.any(String),
          version: expect.any(String),
          kind: expect.any(String),
        });
        expect(op.parameters, where).toContainEqual(expect.objectContaining(FIELD_VALIDATION));
        // A PATCH without requestBody keeps kubectl apply on its compiled-in strategic-merge metadata.
        if (verb === 'patch') expect(op.requestBody, where).toBeUndefined();
        else expect(op.requestBody.content['application/json'].schema.$ref, where).toMatch(/^#\/components\/schemas\//);
      }
    },
  );

  it.each([...new Set(RESOURCES.map(gvKey))])('resolves every $ref of %s within the document', (key) => {
    const d = doc(key);
    const refs = [...JSON.stringify(d).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(d.components.schemas[ref], ref).toBeDefined();
  });

  it('carries the kinds, their lists, meta types and subresource kinds of the group/version', () => {
    const apps = Object.keys(doc('apis/apps/v1').components.schemas);
    expect(apps).toEqual(
      expect.arrayContaining([
        'io.k8s.api.apps.v1.Deployment',
        'io.k8s.api.apps.v1.DeploymentList',
        'io.k8s.api.autoscaling.v1.Scale',
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
        'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
        'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
        'io.k8s.api.core.v1.PodSpec',
      ]),
    );
    expect(apps).not.toContain('io.k8s.api.core.v1.Pod');
    expect(Object.keys(doc('apis/coordination.k8s.io/v1').components.schemas)).not.toContain(
      'io.k8s.api.core.v1.PodSpec',
    );
    expect(doc('api/v1').openapi).toBe('3.0.0');
  });
});

describe('openApiV2Protobuf', () => {
  it('is a gnostic Document holding only swagger "2.0"', () => {
    expect([...openApiV2Protobuf()]).toEqual([0x0a, 0x03, ...Buffer.from('2.0')]);
  });
});
