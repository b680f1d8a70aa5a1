/**
 * Watches through the real kubectl (`get -w`, `wait`), a resourceVersion
 * watch resuming across a restart of the cluster, and 410 for a compacted
 * revision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../support/local-cluster.ts';

const pod = (name: string, labels = 'app: w') =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels: {${labels}}\nspec:\n  containers:\n  - name: c\n    image: registry.local/x:1\n`;

describe('watch through kubectl', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster();
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('streams ADDED, MODIFIED and DELETED rows to kubectl get pods -w', async () => {
    await t.kubectlOk(['create', '-f', '-'], { input: pod('first') });
    const w = t.kubectlStream(['get', 'pods', '-w', '--output-watch-events']);
    await eventually(() => w.output().includes('first'));
    await t.kubectlOk(['create', '-f', '-'], { input: pod('second') });
    await t.kubectlOk(['label', 'pod', 'second', 'step=2']);
    await t.kubectlOk(['delete', 'pod', 'second', '--wait=false']);
    await eventually(() => /DELETED\s+second/.test(w.output()));
    await w.stop();
    const out = w.output();
    expect(out).toMatch(/^EVENT\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/m);
    expect(out).toMatch(/ADDED\s+second\s+0\/1\s+Pending/);
    expect(out).toMatch(/MODIFIED\s+second/);
    expect(out).toMatch(/DELETED\s+second/);
  });

  it('watches a single object by name (kubectl get NAME -w)', async () => {
    const w = t.kubectlStream(['get', 'pod', 'first', '-w', '-o', 'name']);
    await new Promise((r) => setTimeout(r, 500));
    await t.kubectlOk(['label', 'pod', 'first', 'seen=yes']);
    await eventually(() => w.output().includes('pod/first'));
    await w.stop();
  });

  it('waits for a condition with kubectl wait', async () => {
    const waiting = t.kubectl(['wait', '--for=condition=PodScheduled', 'pod/first', '--timeout=20s'], {
      timeoutMs: 30_000,
    });
    await new Promise((r) => setTimeout(r, 300));
    // Bind the pod the way a scheduler does; the binding sets PodScheduled=True.
    const nodeJson = JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } });
    await t.kubectlOk(['create', '-f', '-'], { input: nodeJson });
    const binding = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'first' },
      target: { kind: 'Node', name: 'node-a' },
    });
    await t.kubectlOk(['create', '--raw', '/api/v1/namespaces/default/pods/first/binding', '-f', '-'], {
      input: binding,
    });
    const r = await waiting;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('pod/first condition met');
  });
});

describe('restart', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster();
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('keeps objects and resourceVersions, and a watch from before the restart resumes', async () => {
    await t.kubectlOk(['create', 'configmap', 'keep', '--from-literal=k=v']);
    const before = JSON.parse(await t.kubectlOk(['get', 'cm', 'keep', '-o', 'json']));
    const listRv = JSON.parse(await t.kubectlOk(['get', '--raw', '/api/v1/namespaces/default/configmaps'])).metadata
      .resourceVersion;
    await t.stop();
    await t.restart();
    const after = JSON.parse(await t.kubectlOk(['get', 'cm', 'keep', '-o', 'json']));
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    await t.kubectlOk(['label', 'cm', 'keep', 'after=restart']);
    const raw = await t.kubectlOk([
      'get',
      '--raw',
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${listRv}&timeoutSeconds=1`,
    ]);
    const events = raw
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.map((e: { type: string }) => e.type)).toEqual(['MODIFIED']);
    expect(events[0].object.metadata.labels.after).toBe('restart');
  });

  it('answers a watch from a compacted revision with 410 Expired', async () => {
    for (let i = 0; i < 3; i++) await t.kubectlOk(['create', 'configmap', `c${i}`]);
    const rv = Number(
      JSON.parse(await t.kubectlOk(['get', '--raw', '/api/v1/namespaces/default/configmaps'])).metadata.resourceVersion,
    );
    await t.cluster.store.compact('configmaps', rv);
    const raw = await t.kubectlOk([
      'get',
      '--raw',
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv - 2}&timeoutSeconds=1`,
    ]);
    const first = JSON.parse(raw.trim().split('\n')[0]);
    expect(first.type).toBe('ERROR');
    expect(first.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });
});
