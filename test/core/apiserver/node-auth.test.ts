/**
 * The Node authorizer's rules as a table (request → allowed, reason), over an
 * in-memory graph of pods; the node token format and authenticator over a
 * real registry (SQLite in memory).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { mastersAuthorizer, unionAuthorizer } from '../../../core/apiserver/auth.ts';
import { type NodeGraph, nodeAuthorizer, nodeNameOf, podReferences } from '../../../core/apiserver/node-authorizer.ts';
import { parseRequestInfo, type ResourceRequestInfo } from '../../../core/apiserver/request-info.ts';
import type { ApiRequest } from '../../../core/apiserver/types.ts';
import { makeContainer, makePod } from '../../fixtures/objects.ts';

const NODE = { name: 'system:node:node-a', groups: ['system:nodes', 'system:authenticated'] };

const pods: Pod[] = [
  makePod({
    metadata: { name: 'mine', namespace: 'default' },
    spec: {
      nodeName: 'node-a',
      imagePullSecrets: [{ name: 'pull' }],
      volumes: [
        { name: 'cfg', configMap: { name: 'settings' } },
        { name: 'p', projected: { sources: [{ secret: { name: 'projected-secret' } }] } },
      ],
      containers: [
        makeContainer({
          env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'a' } } }],
          envFrom: [{ configMapRef: { name: 'env-cm' } }],
        }),
      ],
    },
  }) as Pod,
  makePod({
    metadata: { name: 'theirs', namespace: 'default' },
    spec: { nodeName: 'node-b', volumes: [{ name: 's', secret: { secretName: 'other-secret' } }] },
  }) as Pod,
  makePod({ metadata: { name: 'pending', namespace: 'default' } }) as Pod,
];

const graph: NodeGraph = {
  async getPod(ns, name) {
    return pods.find((p) => p.metadata?.namespace === ns && p.metadata?.name === name);
  },
  async podsOnNode(node, ns) {
    return pods.filter((p) => p.metadata?.namespace === ns && p.spec?.nodeName === node);
  },
};

function request(method: string, url: string, body?: object): { ri: ResourceRequestInfo; req: ApiRequest } {
  const u = new URL(url, 'https://skube.test');
  const ri = parseRequestInfo(method, u.pathname, u.searchParams);
  if (!ri.isResourceRequest) throw new Error(`${url} is not a resource request`);
  const req: ApiRequest = {
    method,
    path: u.pathname,
    query: u.searchParams,
    headers: { 'content-type': 'application/json' },
    body: body ? Buffer.from(JSON.stringify(body)) : undefined,
  };
  return { ri, req };
}

const authorizer = unionAuthorizer([nodeAuthorizer(graph), mastersAuthorizer]);
const PODS = '/api/v1/namespaces/default/pods';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
const NO_RELATIONSHIP = "no relationship found between node 'node-a' and this object";

describe('nodeAuthorizer', () => {
  it.each([
    // Nodes: read all, modify only its own.
    ['GET', '/api/v1/nodes', undefined, true, undefined],
    ['GET', '/api/v1/nodes?watch=true', undefined, true, undefined],
    ['GET', '/api/v1/nodes/node-b', undefined, true, undefined],
    ['POST', '/api/v1/nodes', { metadata: { name: 'node-a' } }, true, undefined],
    [
      'POST',
      '/api/v1/nodes',
      { metadata: { name: 'node-b' } },
      false,
      'node "node-a" is not allowed to modify node "node-b"',
    ],
    ['PATCH', '/api/v1/nodes/node-a', undefined, true, undefined],
    ['PUT', '/api/v1/nodes/node-a/status', undefined, true, undefined],
    ['PATCH', '/api/v1/nodes/node-a/status', undefined, true, undefined],
    ['PATCH', '/api/v1/nodes/node-b/status', undefined, false, 'node "node-a" is not allowed to modify node "node-b"'],
    ['PUT', '/api/v1/nodes/node-b', undefined, false, 'node "node-a" is not allowed to modify node "node-b"'],
    ['DELETE', '/api/v1/nodes', undefined, false, undefined],
    // Leases: only kube-node-lease/<own name>.
    ['GET', `${LEASES}/node-a`, undefined, true, undefined],
    ['POST', LEASES, { metadata: { name: 'node-a' } }, true, undefined],
    ['PUT', `${LEASES}/node-a`, undefined, true, undefined],
    [
      'PUT',
      `${LEASES}/node-b`,
      undefined,
      false,
      'can only access node lease with the same name as the requesting node',
    ],
    [
      'POST',
      LEASES,
      { metadata: { name: 'node-b' } },
      false,
      'can only access node lease with the same name as the requesting node',
    ],
    ['GET', LEASES, undefined, false, undefined],
    ['GET', '/apis/coordination.k8s.io/v1/namespaces/default/leases/node-a', undefined, false, undefined],
    // Pods: bound ones only; list/watch only with spec.nodeName=<self>.
    ['GET', `${PODS}/mine`, undefined, true, undefined],
    ['GET', `${PODS}/theirs`, undefined, false, NO_RELATIONSHIP],
    ['GET', `${PODS}/pending`, undefined, false, NO_RELATIONSHIP],
    ['GET', `${PODS}/missing`, undefined, false, NO_RELATIONSHIP],
    ['GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a', undefined, true, undefined],
    ['GET', '/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3Dnode-a', undefined, true, undefined],
    [
      'GET',
      '/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-b',
      undefined,
      false,
      'can only list/watch pods with spec.nodeName field selector',
    ],
    [
      'GET',
      '/api/v1/pods?fieldSelector=spec.nodeName!%3Dnode-a',
      undefined,
      false,
      'can only list/watch pods with spec.nodeName field selector',
    ],
    ['GET', '/api/v1/pods', undefined, false, 'can only list/watch pods with spec.nodeName field selector'],
    ['PUT', `${PODS}/mine/status`, undefined, true, undefined],
    ['PATCH', `${PODS}/mine/status`, undefined, true, undefined],
    ['PATCH', `${PODS}/theirs/status`, undefined, false, NO_RELATIONSHIP],
    ['DELETE', `${PODS}/mine`, undefined, true, undefined],
    ['DELETE', `${PODS}/theirs`, undefined, false, NO_RELATIONSHIP],
    ['PUT', `${PODS}/mine`, undefined, false, undefined],
    ['POST', PODS, { metadata: { name: 'x' } }, false, undefined],
    ['GET', `${PODS}/mine/log`, undefined, false, undefined],
    ['GET', `${PODS}/mine/exec?command=sh`, undefined, false, undefined],
    ['POST', `${PODS}/mine/binding`, undefined, false, undefined],
    // Secrets and configmaps referenced by its pods.
    ['GET', '/api/v1/namespaces/default/secrets/pull', undefined, true, undefined],
    ['GET', '/api/v1/namespaces/default/secrets/env-secret', undefined, true, undefined],
    ['GET', '/api/v1/namespaces/default/secrets/projected-secret', undefined, true, undefined],
    ['GET', '/api/v1/namespaces/default/configmaps/settings', undefined, true, undefined],
    ['GET', '/api/v1/namespaces/default/configmaps/env-cm', undefined, true, undefined],
    [
      'GET',
      '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Dpull&watch=true',
      undefined,
      true,
      undefined,
    ],
    ['GET', '/api/v1/namespaces/default/secrets/other-secret', undefined, false, NO_RELATIONSHIP],
    ['GET', '/api/v1/namespaces/kube-system/secrets/pull', undefined, false, NO_RELATIONSHIP],
    ['GET', '/api/v1/namespaces/default/configmaps/pull', undefined, false, NO_RELATIONSHIP],
    ['GET', '/api/v1/namespaces/kube-system/configmaps/skube-kubelet-client', undefined, true, undefined],
    ['GET', '/api/v1/namespaces/kube-system/secrets/skube-kubelet-client', undefined, false, NO_RELATIONSHIP],
    ['GET', '/api/v1/namespaces/default/secrets', undefined, false, 'can only get individual resources of this type'],
    [
      'GET',
      '/api/v1/secrets?fieldSelector=metadata.name%3Dpull',
      undefined,
      false,
      'can only get individual resources of this type',
    ],
    ['PUT', '/api/v1/namespaces/default/secrets/pull', undefined, false, undefined],
    // Services, endpoints: read; events: write.
    ['GET', '/api/v1/services?watch=1', undefined, true, undefined],
    ['GET', '/api/v1/namespaces/default/endpoints', undefined, true, undefined],
    ['GET', '/api/v1/namespaces/default/services/web', undefined, true, undefined],
    ['POST', '/api/v1/namespaces/default/services', undefined, false, undefined],
    ['POST', '/api/v1/namespaces/default/events', undefined, true, undefined],
    ['PATCH', '/api/v1/namespaces/default/events/e1', undefined, true, undefined],
    ['GET', '/api/v1/namespaces/default/events', undefined, false, undefined],
    // Everything else.
    ['GET', '/api/v1/namespaces', undefined, false, undefined],
    ['GET', '/apis/apps/v1/deployments', undefined, false, undefined],
    ['DELETE', '/api/v1/namespaces/default', undefined, false, undefined],
  ])('%s %s → allowed %s', async (method, url, body, allowed, reason) => {
    const { ri, req } = request(method, url, body);
    expect(await authorizer.authorize(NODE, ri, req)).toEqual({ allowed, reason });
  });

  it('has no opinion about users that are not nodes', async () => {
    const { ri, req } = request('GET', `${PODS}/mine`);
    const node = nodeAuthorizer(graph);
    expect(await node.authorize({ name: 'jane', groups: ['system:authenticated'] }, ri, req)).toEqual({
      allowed: false,
      reason: undefined,
    });
    // A node user name without the group is not a node.
    expect(await node.authorize({ name: 'system:node:node-a', groups: [] }, ri, req)).toEqual({
      allowed: false,
      reason: undefined,
    });
    expect(await authorizer.authorize({ name: 'admin', groups: ['system:masters'] }, ri, req)).toEqual({
      allowed: true,
    });
  });

  it('reads the node name only from system:node:<name> users in system:nodes', () => {
    expect(nodeNameOf(NODE)).toBe('node-a');
    expect(nodeNameOf({ name: 'system:node:', groups: ['system:nodes'] })).toBeUndefined();
    expect(nodeNameOf({ name: 'node-a', groups: ['system:nodes'] })).toBeUndefined();
  });

  it('collects secret and configmap references from volumes, env, envFrom and image pull secrets', () => {
    const refs = podReferences(pods[0]);
    expect([...refs.secrets].sort()).toEqual(['env-secret', 'projected-secret', 'pull']);
    expect([...refs.configMaps].sort()).toEqual(['env-cm', 'settings']);
  });
});
