import { describe, expect, it } from 'vitest';
import { parseRequestInfo } from '../../../core/apiserver/request-info.ts';

const q = (s = '') => new URLSearchParams(s);

describe('parseRequestInfo', () => {
  it.each([
    ['GET', '/api/v1/pods', '', { verb: 'list', group: '', resource: 'pods', namespace: '', name: '' }],
    ['GET', '/api/v1/namespaces/ns/pods', 'watch=true', { verb: 'watch', resource: 'pods', namespace: 'ns' }],
    ['GET', '/api/v1/namespaces/ns/pods/p', '', { verb: 'get', resource: 'pods', namespace: 'ns', name: 'p' }],
    ['GET', '/api/v1/namespaces/ns/pods/p/log', '', { verb: 'get', name: 'p', subresource: 'log' }],
    ['POST', '/api/v1/namespaces/ns/pods/p/binding', '', { verb: 'create', subresource: 'binding' }],
    ['DELETE', '/api/v1/namespaces/ns/configmaps', '', { verb: 'deletecollection', resource: 'configmaps' }],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/ns/deployments/d/scale',
      '',
      { verb: 'patch', group: 'apps', version: 'v1', resource: 'deployments', subresource: 'scale' },
    ],
    ['GET', '/api/v1/namespaces/ns', '', { verb: 'get', resource: 'namespaces', name: 'ns', namespace: '' }],
    [
      'PUT',
      '/api/v1/namespaces/ns/finalize',
      '',
      { verb: 'update', resource: 'namespaces', name: 'ns', subresource: 'finalize', namespace: '' },
    ],
    [
      'PUT',
      '/api/v1/namespaces/ns/status',
      '',
      { verb: 'update', resource: 'namespaces', name: 'ns', subresource: 'status' },
    ],
    ['GET', '/api/v1/nodes/n1', '', { verb: 'get', resource: 'nodes', name: 'n1' }],
    [
      'GET',
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
      '',
      { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease' },
    ],
  ])('%s %s?%s', (method, path, query, expected) => {
    expect(parseRequestInfo(method, path, q(query))).toMatchObject({ isResourceRequest: true, ...expected });
  });

  it.each(['/healthz', '/version', '/api', '/apis', '/openapi/v3', '/apis/apps'])(
    'treats %s as a non-resource path',
    (path) => {
      expect(parseRequestInfo('GET', path, q())).toMatchObject({ isResourceRequest: false, path });
    },
  );
});
