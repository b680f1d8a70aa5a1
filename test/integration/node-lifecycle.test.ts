/**
 * The node lifecycle controller in a local cluster with short settings
 * (grace period 2 s, default toleration 3 s), the scheduler and workload
 * controllers in process, and simulated nodes whose Leases the test renews:
 * a node that stops heartbeating goes Unknown, is tainted unreachable, has
 * its pods marked not ready and then evicted once their default toleration
 * ends, the Deployment's pods come back on the other nodes, and the node is
 * untainted when it returns.
 */
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../support/local-cluster.ts';
import { addNode, finishTerminating, postNodeStatus, readyBoundPods, renewLease } from './simulated-nodes.ts';

const DEPLOYMENT = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  replicas: 6
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;

describe('node lifecycle controller', () => {
  let t: TestCluster;
  let timer: NodeJS.Timeout | undefined;
  const alive = new Set(['n1', 'n2', 'n3']);
  const onLiveNode = (p: Pod) => alive.has(p.spec?.nodeName ?? '');

  beforeAll(async () => {
    t = await startTestCluster({ nodeMonitorGracePeriodSeconds: 2, defaultTolerationSeconds: 3 });
    for (const n of alive) await addNode(t.cluster.registry, n);
    // Each live node's agent: renew the Lease, ready bound pods, finish deletions. A dead node does nothing.
    const tick = async () => {
      for (const n of alive) await renewLease(t.cluster.registry, n).catch(() => undefined);
      await readyBoundPods(t.cluster.registry, onLiveNode).catch(() => 0);
      await finishTerminating(t.cluster.registry, onLiveNode).catch(() => 0);
      timer = setTimeout(() => void tick(), 300);
    };
    void tick();
  });
  afterAll(async () => {
    clearTimeout(timer);
    alive.clear();
    await t?.cleanup();
  });

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await t.kubectlOk([...args, '-o', 'json'])) as T;
  const pods = async () => (await json<{ items: Pod[] }>(['get', 'pods', '-l', 'app=web'])).items;
  const node = (name: string) => json<Node>(['get', 'node', name]);
  const events = async (reason: string) =>
    (await json<{ items: Event[] }>(['get', 'events', '-A', '--field-selector', `reason=${reason}`])).items;

  it('gives every pod the default tolerations with the configured seconds', async () => {
    await t.kubectlOk(['apply', '-f', '-'], { input: DEPLOYMENT });
    const all = (await eventually(async () => {
      const ps = await pods();
      const ready = ps.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 6 && ps;
    }, 60_000)) as Pod[];
    expect(all[0].spec?.tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3 },
    ]);
    // Heartbeating nodes stay Ready and untainted well past the grace period.
    await new Promise((r) => setTimeout(r, 3000));
    for (const n of ['n1', 'n2', 'n3']) expect((await node(n)).spec?.taints).toBeUndefined();
  });

  it('moves the pods of a node that stops heartbeating to the others after grace period and toleration', async () => {
    const victims = (await pods()).filter((p) => p.spec?.nodeName === 'n1').map((p) => p.metadata?.name);
    expect(victims.length).toBeGreaterThan(0);
    alive.delete('n1');

    const down = (await eventually(async () => {
      const n = await node('n1');
      return n.spec?.taints?.some((x) => x.key === 'node.kubernetes.io/unreachable' && x.effect === 'NoExecute') && n;
    }, 30_000)) as Node;
    expect(down.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    expect(await t.kubectlOk(['get', 'node', 'n1'])).toMatch(/n1\s+NotReady/);
    const described = await eventually(async () => {
      const out = await t.kubectlOk(['describe', 'node', 'n1']);
      return out.includes('NodeNotReady') && out;
    }, 30_000);
    expect(described).toMatch(/Taints:\s+node\.kubernetes\.io\/unreachable:NoExecute/);
    expect(described).toMatch(/Node n1 status is now: NodeNotReady/);

    // Six ready pods again, none of them on n1; n1's pods were evicted, not just left.
    await eventually(async () => {
      const live = (await pods()).filter((p) => !p.metadata?.deletionTimestamp);
      const ready = live.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 6 && live.every((p) => p.spec?.nodeName !== 'n1');
    }, 60_000);
    const evictions = await events('TaintManagerEviction');
    expect(evictions.map((e) => e.involvedObject.name).sort()).toEqual([...victims].sort());
    expect(evictions[0].message).toMatch(/^Marking for deletion Pod default\/web-/);
    // Not before the toleration ran out.
    const tainted = Date.parse(down.spec?.taints?.find((x) => x.effect === 'NoExecute')?.timeAdded ?? '');
    for (const e of evictions) expect(Date.parse(e.firstTimestamp ?? '')).toBeGreaterThanOrEqual(tainted + 3000);
    expect(
      (await events('NodeNotReady')).some((e) => e.involvedObject.kind === 'Node' && e.involvedObject.name === 'n1'),
    ).toBe(true);
  });

  it('untaints a node that comes back', async () => {
    alive.add('n1');
    await renewLease(t.cluster.registry, 'n1');
    await postNodeStatus(t.cluster.registry, 'n1');
    await eventually(async () => {
      const n = await node('n1');
      return !n.spec?.taints?.length && n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    }, 30_000);
    expect((await events('NodeReady')).some((e) => e.involvedObject.name === 'n1')).toBe(true);
  });
});
