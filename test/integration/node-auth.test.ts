/**
 * Node credentials end to end: an agent-style credential is issued through
 * the admin kubeconfig (`obtainNodeCredentials`), only its digest is stored,
 * and the real kubectl with a node kubeconfig may do what the Node authorizer
 * allows and gets Kubernetes' 403 messages for the rest.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obtainNodeCredentials } from '../../agent/credentials.ts';
import { nodeTokenSecretName } from '../../core/apiserver/node-tokens.ts';
import { ApiClient } from '../../core/client/api-client.ts';
import { type ClientConfig, loadKubeconfig } from '../../core/client/kubeconfig.ts';
import { writeKubeconfig } from '../../local/kubeconfig.ts';
import { startTestCluster, type TestCluster } from '../support/local-cluster.ts';

const NODE = `auth-node-${Math.random().toString(36).slice(2, 8)}`;
const OTHER = `${NODE}-other`;

describe('node credentials and the Node authorizer (kubectl)', () => {
  let t: TestCluster;
  let admin: ApiClient;
  let node: ClientConfig;
  let nodeKubeconfig: string;
  const asNode = (args: string[], input?: string) => t.kubectl(['--kubeconfig', nodeKubeconfig, ...args], { input });

  beforeAll(async () => {
    t = await startTestCluster({ scheduler: false, controllers: false });
    admin = new ApiClient(loadKubeconfig(t.kubeconfig));
    node = await obtainNodeCredentials(admin, NODE);
    nodeKubeconfig = join(t.dataDir, 'node.kubeconfig');
    writeKubeconfig(nodeKubeconfig, {
      clusterName: 'skube',
      server: node.server,
      caCert: node.caCert,
      user: `system:node:${NODE}`,
      token: node.token!,
    });
    const pod = (name: string, nodeName: string, secret: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: {
        nodeName,
        containers: [{ name: 'c', image: 'busybox', envFrom: [{ secretRef: { name: secret } }] }],
      },
    });
    await admin.create('/api/v1/namespaces/default/pods', pod('on-node', NODE, 'mine'));
    await admin.create('/api/v1/namespaces/default/pods', pod('elsewhere', OTHER, 'theirs'));
    for (const name of ['mine', 'theirs']) {
      await admin.create('/api/v1/namespaces/default/secrets', { metadata: { name }, stringData: { k: name } });
    }
  }, 120_000);

  afterAll(async () => {
    await t?.cleanup();
  });

  it('stores only the digest of the node token', async () => {
    const secret = await admin.get<{ type: string; data: Record<string, string> }>(
      `/api/v1/namespaces/kube-system/secrets/${nodeTokenSecretName(NODE)}`,
    );
    expect(secret.type).toBe('skube.io/node-token');
    const stored = Object.values(secret.data).map((v) => Buffer.from(v, 'base64').toString('utf8'));
    expect(stored.join('\n')).not.toContain(node.token!.split('.')[2]);
    expect(stored).toContain(NODE);
  });

  it('authenticates as system:node:<name> and lets the node register and update its own Node', async () => {
    const manifest = (name: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'kubernetes.io/hostname': name } },
      });
    const own = await asNode(['create', '-f', '-'], manifest(NODE));
    expect(own.stderr).toBe('');
    expect(own.stdout).toContain(`node/${NODE} created`);
    const other = await asNode(['create', '-f', '-'], manifest(OTHER));
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain(
      `nodes is forbidden: User "system:node:${NODE}" cannot create resource "nodes" in API group "" at the cluster scope: node "${NODE}" is not allowed to modify node "${OTHER}"`,
    );
    expect((await asNode(['label', 'node', NODE, 'zone=a'])).stdout).toContain('labeled');
    expect((await asNode(['get', 'nodes', '-o', 'name'])).stdout).toContain(`node/${NODE}`);
  });

  it('lists pods only with its own spec.nodeName field selector', async () => {
    const all = await asNode(['get', 'pods', '-A']);
    expect(all.code).not.toBe(0);
    expect(all.stderr).toContain(
      `pods is forbidden: User "system:node:${NODE}" cannot list resource "pods" in API group "" at the cluster scope: can only list/watch pods with spec.nodeName field selector`,
    );
    const mine = await asNode(['get', 'pods', '-A', '--field-selector', `spec.nodeName=${NODE}`, '-o', 'name']);
    expect(mine.stdout.trim()).toBe('pod/on-node');
    expect((await asNode(['get', 'pod', 'on-node', '-o', 'name'])).stdout.trim()).toBe('pod/on-node');
    const other = await asNode(['get', 'pod', 'elsewhere']);
    expect(other.stderr).toContain(
      `pods "elsewhere" is forbidden: User "system:node:${NODE}" cannot get resource "pods" in API group "" in the namespace "default": no relationship found between node '${NODE}' and this object`,
    );
  });

  it('reads only the secrets its pods reference', async () => {
    expect((await asNode(['get', 'secret', 'mine', '-o', 'name'])).stdout.trim()).toBe('secret/mine');
    const theirs = await asNode(['get', 'secret', 'theirs']);
    expect(theirs.stderr).toContain(`secrets "theirs" is forbidden: User "system:node:${NODE}" cannot get resource`);
    const list = await asNode(['get', 'secrets', '-n', 'kube-system']);
    expect(list.stderr).toContain('can only get individual resources of this type');
  });

  it('writes its pods’ status and deletes them, but nothing of other nodes', async () => {
    const patch = JSON.stringify({ status: { phase: 'Running' } });
    const own = await asNode(['patch', 'pod', 'on-node', '--subresource', 'status', '--type', 'merge', '-p', patch]);
    expect(own.stdout).toContain('patched');
    const other = await asNode([
      'patch',
      'pod',
      'elsewhere',
      '--subresource',
      'status',
      '--type',
      'merge',
      '-p',
      patch,
    ]);
    expect(other.stderr).toContain('cannot get resource "pods/status"');
    expect((await asNode(['delete', 'pod', 'elsewhere', '--wait=false'])).stderr).toContain('forbidden');
    expect((await asNode(['delete', 'pod', 'on-node', '--wait=false'])).stdout).toContain('deleted');
  });

  it('may not touch anything else', async () => {
    const ns = await asNode(['create', 'namespace', 'nope']);
    expect(ns.stderr).toContain(
      `namespaces is forbidden: User "system:node:${NODE}" cannot create resource "namespaces" in API group "" at the cluster scope`,
    );
    expect((await asNode(['get', 'deployments'])).stderr).toContain('forbidden');
    expect((await asNode(['get', 'services', '-o', 'name'])).stdout).toContain('service/kubernetes');
  });

  it('refuses a token whose secret part was changed', async () => {
    const forged = `${node.token!.slice(0, -4)}AAAA`;
    const res = await new ApiClient({ ...node, token: forged }).request('GET', '/api/v1/nodes');
    expect(res.status).toBe(401);
  });
});
