/**
 * The local cluster driven by the real kubectl v1.32 on this machine:
 * discovery, apply of a multi-document manifest, get in every output form,
 * label/annotate, the three patch types, replace, scale, delete --wait, the
 * protobuf-bodied create generators, and Kubernetes-style errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/local-cluster.ts';

const MANIFEST = `
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data:
  greeting: hello
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.local/web:1.0
        ports:
        - containerPort: 8080
          name: http
        env:
        - name: MODE
          value: prod
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: http
`;

describe('kubectl against a local cluster', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster();
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('reports version, api-resources and cluster-info without errors', async () => {
    const version = await t.kubectl(['version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/Server Version: v1\.32\./);
    const res = await t.kubectl(['api-resources']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(res.stdout).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(res.stdout).toMatch(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
    const info = await t.kubectl(['cluster-info']);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain('Kubernetes control plane is running at');
  });

  it('lists the system namespaces', async () => {
    const out = await t.kubectlOk(['get', 'namespaces']);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
      expect(out).toMatch(new RegExp(`^${ns}\\s+Active`, 'm'));
  });

  it('applies a multi-document manifest and re-applies it unchanged', async () => {
    const r = await t.kubectl(['apply', '-f', '-'], { input: MANIFEST });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('namespace/shop created');
    expect(r.stdout).toContain('configmap/web-config created');
    expect(r.stdout).toContain('deployment.apps/web created');
    expect(r.stdout).toContain('service/web created');
    const again = await t.kubectlOk(['apply', '-f', '-'], { input: MANIFEST });
    expect(again).toContain('deployment.apps/web unchanged');
  });

  it('applies a changed manifest as a strategic merge patch', async () => {
    const changed = MANIFEST.replace('registry.local/web:1.0', 'registry.local/web:2.0').replace(
      'value: prod',
      'value: canary',
    );
    expect(await t.kubectlOk(['apply', '-f', '-'], { input: changed })).toContain('deployment.apps/web configured');
    const dep = JSON.parse(await t.kubectlOk(['get', 'deploy', 'web', '-n', 'shop', '-o', 'json']));
    expect(dep.spec.template.spec.containers).toHaveLength(1);
    expect(dep.spec.template.spec.containers[0].image).toBe('registry.local/web:2.0');
    expect(dep.spec.template.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'canary' }]);
    expect(dep.metadata.generation).toBe(2);
  });

  it('prints Kubernetes columns for get, -o wide, -A and -l', async () => {
    const deps = await t.kubectlOk(['get', 'deployments', '-n', 'shop', '-o', 'wide']);
    expect(deps.split('\n')[0]).toMatch(
      /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/,
    );
    // UP-TO-DATE depends on how far the deployment controller got; no pod is Ready (no node agent).
    expect(deps).toMatch(/^web\s+0\/2\s+\d+\s+0\s+\S+\s+web\s+registry\.local\/web:2\.0\s+app=web/m);
    const svcs = await t.kubectlOk(['get', 'svc', '-A']);
    expect(svcs.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    expect(svcs).toMatch(/^shop\s+web\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP/m);
    expect(svcs).toMatch(/^default\s+kubernetes\s+ClusterIP\s+10\.96\.0\.1\s/m);
    const byLabel = await t.kubectlOk(['get', 'deploy', '-A', '-l', 'app=web', '-o', 'name']);
    expect(byLabel.trim()).toBe('deployment.apps/web');
    const none = await t.kubectl(['get', 'deploy', '-n', 'shop', '-l', 'app notin (web)']);
    expect(none.stderr).toContain('No resources found in shop namespace.');
  });

  it('prints -o yaml with server-set fields', async () => {
    const y = await t.kubectlOk(['get', 'configmap', 'web-config', '-n', 'shop', '-o', 'yaml']);
    expect(y).toMatch(/uid: [0-9a-f-]{36}/);
    expect(y).toMatch(/resourceVersion: "\d+"/);
    expect(y).toMatch(/creationTimestamp: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
    expect(y).toContain('greeting: hello');
  });

  it('labels and annotates, honouring --resource-version', async () => {
    expect(await t.kubectlOk(['label', 'cm', 'web-config', '-n', 'shop', 'tier=frontend'])).toContain('labeled');
    expect(await t.kubectlOk(['annotate', 'cm', 'web-config', '-n', 'shop', 'note=hi'])).toContain('annotated');
    const cm = JSON.parse(await t.kubectlOk(['get', 'cm', 'web-config', '-n', 'shop', '-o', 'json']));
    expect(cm.metadata.labels.tier).toBe('frontend');
    expect(cm.metadata.annotations.note).toBe('hi');
    const stale = await t.kubectl(['label', 'cm', 'web-config', '-n', 'shop', 'x=y', '--resource-version=1']);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain('Error from server (Conflict)');
    expect(await t.kubectlOk(['label', 'cm', 'web-config', '-n', 'shop', 'tier-'])).toContain('unlabeled');
  });

  it('patches with strategic, merge and json patches', async () => {
    await t.kubectlOk([
      'patch',
      'deploy',
      'web',
      '-n',
      'shop',
      '-p',
      '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"registry.local/side:1"}]}}}}',
    ]);
    let dep = JSON.parse(await t.kubectlOk(['get', 'deploy', 'web', '-n', 'shop', '-o', 'json']));
    expect(dep.spec.template.spec.containers.map((c: { name: string }) => c.name).sort()).toEqual(['sidecar', 'web']);
    await t.kubectlOk([
      'patch',
      'deploy',
      'web',
      '-n',
      'shop',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"labels":{"team":"a"}}}',
    ]);
    await t.kubectlOk([
      'patch',
      'deploy',
      'web',
      '-n',
      'shop',
      '--type',
      'json',
      '-p',
      '[{"op":"remove","path":"/spec/template/spec/containers/1"}]',
    ]);
    dep = JSON.parse(await t.kubectlOk(['get', 'deploy', 'web', '-n', 'shop', '-o', 'json']));
    expect(dep.metadata.labels.team).toBe('a');
    expect(dep.spec.template.spec.containers).toHaveLength(1);
    const noChange = await t.kubectlOk([
      'patch',
      'deploy',
      'web',
      '-n',
      'shop',
      '--type',
      'merge',
      '-p',
      '{"metadata":{"labels":{"team":"a"}}}',
    ]);
    expect(noChange).toContain('(no change)');
    const bad = await t.kubectl([
      'patch',
      'deploy',
      'web',
      '-n',
      'shop',
      '--type',
      'json',
      '-p',
      '[{"op":"replace","path":"/spec/nope/x","value":1}]',
    ]);
    expect(bad.code).not.toBe(0);
  });

  it('replaces an object read back from the server, and refuses a stale one', async () => {
    const cm = JSON.parse(await t.kubectlOk(['get', 'cm', 'web-config', '-n', 'shop', '-o', 'json']));
    cm.data.greeting = 'bonjour';
    expect(await t.kubectlOk(['replace', '-f', '-'], { input: JSON.stringify(cm) })).toContain(
      'configmap/web-config replaced',
    );
    cm.data.greeting = 'hola';
    const stale = await t.kubectl(['replace', '-f', '-'], { input: JSON.stringify(cm) });
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain(
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('scales through the scale subresource', async () => {
    expect(await t.kubectlOk(['scale', 'deploy', 'web', '-n', 'shop', '--replicas=5'])).toContain(
      'deployment.apps/web scaled',
    );
    const dep = JSON.parse(await t.kubectlOk(['get', 'deploy', 'web', '-n', 'shop', '-o', 'json']));
    expect(dep.spec.replicas).toBe(5);
    const scale = JSON.parse(
      await t.kubectlOk(['get', '--raw', '/apis/apps/v1/namespaces/shop/deployments/web/scale']),
    );
    expect(scale).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 5 },
      status: { selector: 'app=web' },
    });
  });

  it('creates objects with the protobuf-bodied generators', async () => {
    await t.kubectlOk(['create', 'namespace', 'gen']);
    await t.kubectlOk([
      'create',
      'deployment',
      'api',
      '-n',
      'gen',
      '--image=registry.local/api:1',
      '--replicas=3',
      '--port=9090',
    ]);
    await t.kubectlOk(['create', 'configmap', 'cfg', '-n', 'gen', '--from-literal=a=1']);
    await t.kubectlOk(['create', 'secret', 'generic', 'creds', '-n', 'gen', '--from-literal=password=s3cret']);
    await t.kubectlOk(['create', 'service', 'nodeport', 'api', '-n', 'gen', '--tcp=80:9090']);
    const dep = JSON.parse(await t.kubectlOk(['get', 'deploy', 'api', '-n', 'gen', '-o', 'json']));
    expect(dep.spec.replicas).toBe(3);
    expect(dep.spec.template.spec.containers[0].ports[0].containerPort).toBe(9090);
    const svc = JSON.parse(await t.kubectlOk(['get', 'svc', 'api', '-n', 'gen', '-o', 'json']));
    expect(svc.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(svc.spec.ports[0].nodePort).toBeLessThanOrEqual(32767);
    const secret = JSON.parse(await t.kubectlOk(['get', 'secret', 'creds', '-n', 'gen', '-o', 'json']));
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('s3cret');
    const dup = await t.kubectl(['create', 'configmap', 'cfg', '-n', 'gen']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('configmaps "cfg" already exists');
  });

  it('prints the 422 causes of an invalid manifest and stores nothing', async () => {
    const bad = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: Bad_Name
  namespace: shop
spec:
  replicas: -1
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      containers:
      - name: c
`;
    const r = await t.kubectl(['apply', '-f', '-'], { input: bad });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Deployment "Bad_Name" is invalid:');
    expect(r.stderr).toMatch(/metadata\.name: Invalid value: "Bad_Name"/);
    expect(r.stderr).toMatch(/spec\.replicas: Invalid value: -1/);
    expect(r.stderr).toMatch(/spec\.template\.spec\.containers\[0\]\.image: Required value/);
    const get = await t.kubectl(['get', 'deploy', 'Bad_Name', '-n', 'shop']);
    expect(get.code).not.toBe(0);
  });

  it('rejects unknown fields under the default strict validation', async () => {
    const r = await t.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: strict, namespace: shop}\ndata: {a: b}\nbogus: 1\n',
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown field "bogus"');
  });

  it('explains fields from the served OpenAPI', async () => {
    const r = await t.kubectl(['explain', 'deployment.spec.replicas']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('replicas');
    expect(r.stdout).toMatch(/integer/);
  });

  it('deletes with --wait and answers NotFound afterwards', async () => {
    expect(await t.kubectlOk(['delete', 'cm', 'web-config', '-n', 'shop', '--wait=true', '--timeout=20s'])).toContain(
      'configmap "web-config" deleted',
    );
    const gone = await t.kubectl(['get', 'cm', 'web-config', '-n', 'shop']);
    expect(gone.stderr).toContain('Error from server (NotFound): configmaps "web-config" not found');
  });

  it('deletes a namespace and everything in it', async () => {
    const r = await t.kubectl(['delete', 'namespace', 'gen', '--wait=true', '--timeout=30s'], { timeoutMs: 40_000 });
    expect(r.code, r.stderr).toBe(0);
    const left = await t.kubectl(['get', 'deploy', 'api', '-n', 'gen']);
    expect(left.code).not.toBe(0);
    const ns = await t.kubectl(['get', 'namespace', 'gen']);
    expect(ns.stderr).toContain('not found');
  });

  it('refuses requests without a valid token', async () => {
    const r = await t.kubectl(['get', 'pods', '--token', 'not-the-token']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('You must be logged in to the server');
  });
});
