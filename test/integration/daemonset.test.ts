/**
 * The DaemonSet controller in a local cluster with the scheduler in process
 * and simulated nodes (Node objects; the test plays the kubelet by marking
 * bound pods Ready and finishing deletions): one pod per eligible node
 * through node churn — added, labelled, unlabelled and removed nodes — and
 * a rolling update followed by the real `kubectl rollout status ds/…`.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../support/local-cluster.ts';
import { addNode, finishTerminating, readyBoundPods, removeNode } from './simulated-nodes.ts';

const DAEMON_SET = `
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: default }
spec:
  selector: { matchLabels: { app: agent } }
  updateStrategy: { type: RollingUpdate, rollingUpdate: { maxUnavailable: 1 } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      nodeSelector: { role: agent }
      containers:
      - name: agent
        image: nginx:1.27
`;

describe('DaemonSet controller', () => {
  let t: TestCluster;
  let kubelet: NodeJS.Timeout | undefined;
  beforeAll(async () => {
    t = await startTestCluster();
    // The kubelet of every simulated node: ready what is bound, finish what is deleted.
    const tick = async () => {
      await readyBoundPods(t.cluster.registry).catch(() => 0);
      await finishTerminating(t.cluster.registry).catch(() => 0);
      kubelet = setTimeout(() => void tick(), 200);
    };
    void tick();
  });
  afterAll(async () => {
    clearTimeout(kubelet);
    kubelet = undefined;
    await t?.cleanup();
  });

  const livePods = async (): Promise<Pod[]> =>
    (JSON.parse(await t.kubectlOk(['get', 'pods', '-l', 'app=agent', '-o', 'json'])) as { items: Pod[] }).items.filter(
      (p) => !p.metadata?.deletionTimestamp,
    );
  /** Waits until exactly one live, bound pod runs on each of `nodes` and none elsewhere. */
  const onNodes = (nodes: string[], image = 'nginx:1.27') =>
    eventually(async () => {
      const pods = await livePods();
      const placed = pods.map((p) => p.spec?.nodeName ?? '?').sort();
      const images = new Set(pods.map((p) => p.spec?.containers[0]?.image));
      return JSON.stringify(placed) === JSON.stringify([...nodes].sort()) && images.size === 1 && images.has(image);
    }, 60_000);

  it('runs one pod per eligible node and follows node churn', async () => {
    const registry = t.cluster.registry;
    await addNode(registry, 'n1', { labels: { role: 'agent' } });
    await addNode(registry, 'n2', { labels: { role: 'agent' } });
    await addNode(registry, 'n3');
    await t.kubectlOk(['apply', '-f', '-'], { input: DAEMON_SET });
    await onNodes(['n1', 'n2']);
    const pod = (await livePods())[0];
    expect(pod.metadata?.labels?.['controller-revision-hash']).toMatch(/^[a-z0-9]+$/);
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'DaemonSet', name: 'agent', controller: true });
    expect(pod.spec?.tolerations?.map((x) => x.key)).toContain('node.kubernetes.io/unreachable');

    await addNode(registry, 'n4', { labels: { role: 'agent' } });
    await onNodes(['n1', 'n2', 'n4']);
    await t.kubectlOk(['label', 'node', 'n3', 'role=agent']);
    await onNodes(['n1', 'n2', 'n3', 'n4']);
    await t.kubectlOk(['label', 'node', 'n1', 'role-']);
    await onNodes(['n2', 'n3', 'n4']);
    await removeNode(registry, 'n2');
    await onNodes(['n3', 'n4']);

    await eventually(async () => {
      const ds = JSON.parse(await t.kubectlOk(['get', 'ds', 'agent', '-o', 'json']));
      return ds.status.desiredNumberScheduled === 2 && ds.status.numberReady === 2 && ds.status.numberAvailable === 2;
    }, 30_000);
    const table = await t.kubectlOk(['get', 'ds', 'agent']);
    expect(table).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE/);
    expect(table).toMatch(/agent\s+2\s+2\s+2\s+2\s+2\s+role=agent/);
    const described = await t.kubectlOk(['describe', 'ds', 'agent']);
    expect(described).toMatch(/Desired Number of Nodes Scheduled: 2/);
    expect(described).toMatch(/Number of Nodes Misscheduled: 0/);
    expect(described).toMatch(/Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/);
    expect(described).toMatch(/SuccessfulCreate/);
  });

  it('rolls a new template out node by node and kubectl rollout status reports it', async () => {
    // Watch every step: never more than maxUnavailable (1) of the two nodes without an available pod.
    let worst = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const pods = (await t.cluster.store.list('pods', { namespace: 'default' })).items as unknown as Pod[];
        const available = new Set(
          pods
            .filter((p) => !p.metadata?.deletionTimestamp && p.metadata?.labels?.app === 'agent')
            .filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
            .map((p) => p.spec?.nodeName),
        );
        worst = Math.max(worst, ['n3', 'n4'].filter((n) => !available.has(n)).length);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await t.kubectlOk(['set', 'image', 'ds/agent', 'agent=nginx:1.28']);
    const status = await t.kubectl(['rollout', 'status', 'ds/agent', '--timeout=90s'], { timeoutMs: 100_000 });
    sampling = false;
    await sampler;
    expect(worst).toBe(1);
    expect(status.stderr).toBe('');
    expect(status.stdout).toContain('daemon set "agent" successfully rolled out');
    await onNodes(['n3', 'n4'], 'nginx:1.28');
    const ds = JSON.parse(await t.kubectlOk(['get', 'ds', 'agent', '-o', 'json']));
    expect(ds.status).toMatchObject({ updatedNumberScheduled: 2, numberAvailable: 2, observedGeneration: 2 });
    const events = JSON.parse(
      await t.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.kind=DaemonSet', '-o', 'json']),
    ) as { items: { reason: string }[] };
    expect(new Set(events.items.map((e) => e.reason))).toEqual(new Set(['SuccessfulCreate', 'SuccessfulDelete']));
  });
});
