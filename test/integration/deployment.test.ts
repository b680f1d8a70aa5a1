/**
 * The Deployment controller in a local cluster, driven by the real kubectl:
 * `rollout status` through a first rollout, `set image`, `rollout undo` and
 * `rollout restart`. There is no node agent yet, so the test marks pods Ready
 * through `pods/status` itself while `rollout status` waits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../support/local-cluster.ts';

const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  replicas: 2
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;

interface Item {
  metadata: { name: string; generation?: number; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: { replicas?: number; template: { spec: { containers: { image: string }[] } } };
  status?: { conditions?: { type: string; status: string }[] };
}

describe('Deployment controller', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster({ scheduler: false });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const items = async (kind: string): Promise<Item[]> =>
    (JSON.parse(await t.kubectlOk(['get', kind, '-l', 'app=web', '-o', 'json'])) as { items: Item[] }).items;
  const replicaSets = async () => (await items('rs')).filter((rs) => !rs.metadata.deletionTimestamp);
  const deployment = async () => JSON.parse(await t.kubectlOk(['get', 'deployment', 'web', '-o', 'json'])) as Item;
  const revision = (o: Item) => o.metadata.annotations?.['deployment.kubernetes.io/revision'];

  /** Marks every not-yet-ready pod Ready, as a node agent would. */
  const readyPods = async () => {
    for (const p of await items('pods')) {
      if (p.metadata.deletionTimestamp || p.status?.conditions?.some((c) => c.type === 'Ready')) continue;
      const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
      await t.kubectl([
        'patch',
        'pod',
        p.metadata.name,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status }),
      ]);
    }
  };

  /** Runs `kubectl rollout status` while playing the node agent; resolves with its result. */
  const rolloutStatus = async () => {
    let done = false;
    const status = t.kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s'], { timeoutMs: 70_000 });
    void status.finally(() => {
      done = true;
    });
    while (!done) {
      await readyPods();
      await new Promise((r) => setTimeout(r, 200));
    }
    return status;
  };

  it('completes a first rollout, with the revision and hash on the ReplicaSet', async () => {
    await t.kubectlOk(['apply', '-f', '-'], { input: DEPLOYMENT });
    const status = await rolloutStatus();
    expect(status.stdout).toContain('successfully rolled out');
    expect(status.code).toBe(0);
    const [rs, ...rest] = await replicaSets();
    expect(rest).toEqual([]);
    expect(rs?.metadata.name).toMatch(/^web-[a-z0-9]+$/);
    expect(revision(rs!)).toBe('1');
    const events = await t.kubectlOk([
      'get',
      'events',
      '--field-selector',
      'involvedObject.kind=Deployment',
      '-o',
      'json',
    ]);
    const parsed = JSON.parse(events) as {
      items: { reason: string; message: string; source: { component: string } }[];
    };
    expect(parsed.items.map((e) => [e.reason, e.source.component])).toContainEqual([
      'ScalingReplicaSet',
      'deployment-controller',
    ]);
  }, 90_000);

  it('rolls out a new image, undoes it back to the first ReplicaSet, and restarts', async () => {
    const [first] = await replicaSets();
    await t.kubectlOk(['set', 'image', 'deployment/web', 'web=nginx:1.28']);
    expect((await rolloutStatus()).code).toBe(0);
    let sets = await replicaSets();
    expect(sets).toHaveLength(2);
    const second = sets.find((rs) => rs.metadata.name !== first?.metadata.name)!;
    expect(second.spec.replicas).toBe(2);
    expect(revision(second)).toBe('2');

    await t.kubectlOk(['rollout', 'undo', 'deployment/web']);
    expect((await rolloutStatus()).code).toBe(0);
    sets = await replicaSets();
    const back = sets.find((rs) => rs.metadata.name === first?.metadata.name)!;
    expect(back.spec.replicas).toBe(2);
    expect(revision(back)).toBe('3');
    const d = await deployment();
    expect(d.spec.template.spec.containers[0]?.image).toBe('nginx:1.27');
    expect(revision(d)).toBe('3');

    const generation = d.metadata.generation ?? 0;
    await t.kubectlOk(['rollout', 'restart', 'deployment/web']);
    expect((await rolloutStatus()).code).toBe(0);
    const restarted = await deployment();
    expect(restarted.metadata.generation).toBeGreaterThan(generation);
    sets = await replicaSets();
    expect(sets).toHaveLength(3);
    expect(sets.filter((rs) => (rs.spec.replicas ?? 0) > 0).map(revision)).toEqual(['4']);
  }, 240_000);
});
