/**
 * Runs the real kubectl against a throwaway server that serves discovery
 * and the OpenAPI documents from core, to prove kubectl accepts them:
 * `explain` reads types and descriptions, and `apply`/`create -f` pass
 * validation without client-side checks, sending `fieldValidation=Strict`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  notFoundStatus,
  type RecordingApiServer,
  startRecordingApiServer,
} from '../../../support/recording-api-server.ts';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
`;

let server: RecordingApiServer;

beforeAll(async () => {
  server = await startRecordingApiServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
  server.openApiFetches.length = 0;
});

/** The check passed through OpenAPI v3: the group/version document was read and v2 never asked for. */
function expectValidatedThroughV3(gvPath: string): void {
  expect(server.openApiFetches).toContain(`/openapi/v3/${gvPath}`);
  expect(server.openApiFetches).not.toContain('/openapi/v2');
}

describe('kubectl explain against the served OpenAPI v3', () => {
  it.each([
    ['deployment.spec.replicas', 'FIELD: replicas <integer>', 'Number of desired pods'],
    ['pods.spec.containers', 'FIELD: containers <[]Container>', 'List of containers belonging to the pod'],
    ['pods.spec.containers.resources.limits', 'FIELD: limits <map[string]Quantity>', 'Limits describes the maximum'],
    ['deployments.spec.strategy.rollingUpdate.maxSurge', 'FIELD: maxSurge <IntOrString>', 'The maximum number of pods'],
    ['leases.spec.holderIdentity', 'FIELD: holderIdentity <string>', 'holderIdentity contains the identity'],
  ])('explains %s', async (field, header, description) => {
    const { code, stdout, stderr } = await server.kubectl(['explain', field]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(header);
    expect(stdout.replace(/\s+/g, ' ')).toContain(description);
  });

  it('lists the fields of a nested type', async () => {
    const { code, stdout } = await server.kubectl(['explain', 'pods.spec.containers']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/FIELDS:\n[\s\S]*\n {2}image\t<string>/);
    expect(stdout).toMatch(/\n {2}name\t<string> -required-/);
  });
});

describe('kubectl apply and create against the served OpenAPI v3', () => {
  it.each([
    ['deployment.apps/web', '/apis/apps/v1/namespaces/default/deployments', DEPLOYMENT],
    [
      'configmap/settings',
      '/api/v1/namespaces/default/configmaps',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n',
    ],
    ['namespace/team-a', '/api/v1/namespaces', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}\n'],
    [
      'lease.coordination.k8s.io/node-1',
      '/apis/coordination.k8s.io/v1/namespaces/default/leases',
      'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: node-1}\nspec: {holderIdentity: node-1}\n',
    ],
  ])('creates %s with fieldValidation=Strict and no validation error or warning', async (name, path, manifest) => {
    server.handle((req) =>
      req.method === 'GET' ? notFoundStatus('things', 'x') : { status: 201, body: JSON.parse(req.body) },
    );
    const { code, stdout, stderr } = await server.kubectl(['apply', '-f', '-'], manifest);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`${name} created`);
    const post = server.requests.find((r) => r.method === 'POST');
    expect(post?.path).toBe(path);
    expect(post?.query.get('fieldValidation')).toBe('Strict');
    expectValidatedThroughV3(path.split('/namespaces')[0].slice(1));
  });

  it('leaves unknown fields for the server to judge instead of rejecting them client-side', async () => {
    server.handle((req) => ({ status: 201, body: JSON.parse(req.body) }));
    const manifest = DEPLOYMENT.replace('  replicas: 3\n', '  replicas: 3\n  bogusField: 1\n');
    const { code, stderr } = await server.kubectl(['create', '--dry-run=server', '-f', '-'], manifest);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const post = server.requests.find((r) => r.method === 'POST');
    expect(post?.query.get('fieldValidation')).toBe('Strict');
    expect(post?.query.get('dryRun')).toBe('All');
    expect(JSON.parse(post?.body ?? '{}').spec.bogusField).toBe(1);
    expectValidatedThroughV3('apis/apps/v1');
  });

  it('patches with a strategic merge patch built from kubectl’s own types, without warnings', async () => {
    const previous = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              { name: 'web', image: 'nginx:1.27' },
              { name: 'log', image: 'fluentd:1' },
            ],
          },
        },
      },
    };
    const current = structuredClone(previous) as Record<string, any>;
    current.metadata.resourceVersion = '5';
    current.metadata.uid = 'uid-web';
    current.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(previous) };
    server.handle(() => ({ status: 200, body: current }));

    const { code, stdout, stderr } = await server.kubectl(['apply', '-f', '-'], DEPLOYMENT);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('deployment.apps/web configured');
    const patch = server.requests.find((r) => r.method === 'PATCH');
    expect(patch?.headers['content-type']).toBe('application/strategic-merge-patch+json');
    expect(patch?.query.get('fieldValidation')).toBe('Strict');
    expect(JSON.parse(patch?.body ?? '{}').spec.template.spec).toEqual({
      '$setElementOrder/containers': [{ name: 'web' }],
      containers: [{ $patch: 'delete', name: 'log' }],
    });
  });
});
