/**
 * The in-process scheduler of a local cluster, driven through the API with
 * the real kubectl: nodes are plain Node objects (capacity, labels, taints,
 * a Ready condition set through `nodes/status`), pods are placed by node
 * selectors, affinity, taints, resources and topology spread, and pods that
 * fit nowhere show Kubernetes' Unschedulable condition and FailedScheduling Event.
 */
import type { Event, Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../support/local-cluster.ts';

let t: TestCluster;
let ns = '';
let counter = 0;

interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  zone?: string;
  taints?: Taint[];
}

/** Creates a node through the API and marks it Ready through `nodes/status`. */
async function addNode(name: string, o: NodeOpts = {}): Promise<void> {
  const labels: Record<string, string> = { 'kubernetes.io/hostname': name, ...o.labels };
  if (o.zone) labels['topology.kubernetes.io/zone'] = o.zone;
  const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { taints: o.taints } };
  await t.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(node) });
  const capacity = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
  const status = { capacity, allocatable: capacity, conditions: [{ type: 'Ready', status: 'True', reason: 'Test' }] };
  await t.kubectlOk(['patch', 'node', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

function pod(name: string, spec: Partial<Pod['spec']> & { cpu?: string } = {}, labels?: Record<string, string>): Pod {
  const { cpu, ...rest } = spec;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: {
      containers: [
        { name: 'app', image: 'registry.local/app:1', ...(cpu ? { resources: { requests: { cpu } } } : {}) },
      ],
      ...rest,
    },
  };
}

/** Creates pods with one kubectl call (a JSON stream rather than a List, so kubectl validates each against OpenAPI v3). */
async function create(...pods: Pod[]): Promise<void> {
  await t.kubectlOk(['create', '-f', '-'], { input: pods.map((p) => JSON.stringify(p)).join('\n') });
}

async function getPod(name: string): Promise<Pod> {
  return JSON.parse(await t.kubectlOk(['get', 'pod', name, '-n', ns, '-o', 'json']));
}

async function listPods(): Promise<Pod[]> {
  return JSON.parse(await t.kubectlOk(['get', 'pods', '-n', ns, '-o', 'json'])).items;
}

/** Polls `check` until it answers something (the harness's `eventually`, typed for checks that may answer undefined). */
async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs?: number): Promise<T> {
  return (await eventually(check, timeoutMs)) as T;
}

/** Waits until the pod is bound and returns its node. */
async function nodeOf(name: string, timeoutMs = 10_000): Promise<string> {
  return waitFor(async () => (await getPod(name)).spec?.nodeName, timeoutMs);
}

const scheduledCondition = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'PodScheduled');

async function unschedulableMessage(name: string): Promise<string> {
  return waitFor(async () => {
    const c = scheduledCondition(await getPod(name));
    return c?.status === 'False' && c.reason === 'Unschedulable' ? c.message : undefined;
  });
}

beforeAll(async () => {
  t = await startTestCluster();
});

afterAll(async () => {
  await t?.cleanup();
});

beforeEach(async () => {
  ns = `sched-${++counter}`;
  await t.kubectlOk(['create', 'namespace', ns]);
});

afterEach(async () => {
  // Force-delete so pods bound to node objects (no kubelet here) go at once and leave no pending pod behind.
  await t.kubectlOk(['delete', 'pods', '--all', '-n', ns, '--grace-period=0', '--force']);
  await t.kubectlOk(['delete', 'nodes', '--all']);
});

describe('scheduler in a local cluster', () => {
  it('places pods by nodeSelector, required node affinity, taints and resources', async () => {
    await addNode('ssd-a', { labels: { disk: 'ssd' }, zone: 'a' });
    await addNode('hdd-b', { labels: { disk: 'hdd' }, zone: 'b' });
    await addNode('gpu', { cpu: '16', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    const zoneB = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['b'] }] },
          ],
        },
      },
    };
    await create(
      pod('by-selector', { nodeSelector: { disk: 'ssd' } }),
      pod('by-affinity', { affinity: zoneB }),
      // 8 CPUs fit only the 16-CPU node, whose taint this pod tolerates.
      pod('big-tolerant', {
        cpu: '8',
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
      }),
    );
    expect(await nodeOf('by-selector')).toBe('ssd-a');
    expect(await nodeOf('by-affinity')).toBe('hdd-b');
    expect(await nodeOf('big-tolerant')).toBe('gpu');

    // Without the toleration nothing fits 8 CPUs: the tainted node is out, the others are too small.
    await create(pod('big-intolerant', { cpu: '8' }));
    expect(await unschedulableMessage('big-intolerant')).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.',
    );
    const bound = await getPod('by-selector');
    expect(scheduledCondition(bound)).toMatchObject({ status: 'True' });
  });

  it('reports an unschedulable pod with a condition, describe output and one aggregated Warning event', async () => {
    await addNode('small-1', { cpu: '1' });
    await addNode('small-2', { cpu: '1' });
    await addNode('gpu-1', { cpu: '8', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    await create(pod('stuck', { cpu: '2' }));
    const message = '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.';
    expect(await unschedulableMessage('stuck')).toBe(message);
    expect((await getPod('stuck')).status?.phase).toBe('Pending');

    const describe = await waitFor(async () => {
      const out = await t.kubectlOk(['describe', 'pod', 'stuck', '-n', ns]);
      return out.includes('FailedScheduling') ? out : undefined;
    });
    expect(describe).toMatch(/PodScheduled\s+False/);
    expect(describe).toMatch(/Warning\s+FailedScheduling\s+\S+\s+default-scheduler\s+0\/3 nodes are available/);

    const table = await t.kubectlOk(['get', 'events', '-n', ns]);
    expect(table).toContain('FailedScheduling');
    expect(table).toContain('pod/stuck');

    // A pod deleted elsewhere is a cluster event: the pod is retried, and the same message bumps the same Event.
    await create(pod('bystander', { cpu: '100m', nodeName: 'small-1' }));
    await t.kubectlOk(['delete', 'pod', 'bystander', '-n', ns, '--grace-period=0', '--force']);
    const events = await waitFor<Event[]>(async () => {
      const list = JSON.parse(
        await t.kubectlOk(['get', 'events', '-n', ns, '--field-selector', 'reason=FailedScheduling', '-o', 'json']),
      ).items as Event[];
      return list.length === 1 && (list[0].count ?? 0) >= 2 ? list : undefined;
    });
    const [ev] = events;
    expect(ev).toMatchObject({
      type: 'Warning',
      reason: 'FailedScheduling',
      message,
      source: { component: 'default-scheduler' },
      involvedObject: { kind: 'Pod', name: 'stuck', namespace: ns },
    });
    expect(Date.parse(ev.lastTimestamp!)).toBeGreaterThanOrEqual(Date.parse(ev.firstTimestamp!));
  });

  it('schedules a waiting pod promptly once a node that fits is added, and records Scheduled', async () => {
    await addNode('tiny', { cpu: '500m' });
    await create(pod('waiting', { cpu: '2' }));
    expect(await unschedulableMessage('waiting')).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    const added = Date.now();
    await addNode('roomy', { cpu: '4' });
    expect(await nodeOf('waiting')).toBe('roomy');
    // Node creation plus the Ready patch are two cluster events; the pod's backoff after them is at most 2 s.
    expect(Date.now() - added).toBeLessThan(5_000);
    expect(scheduledCondition(await getPod('waiting'))).toMatchObject({ status: 'True' });
    const scheduled = await waitFor(async () => {
      const list = JSON.parse(
        await t.kubectlOk(['get', 'events', '-n', ns, '--field-selector', 'reason=Scheduled', '-o', 'json']),
      ).items as Event[];
      return list.length === 1 ? list[0] : undefined;
    });
    expect(scheduled).toMatchObject({
      type: 'Normal',
      message: `Successfully assigned ${ns}/waiting to roomy`,
      source: { component: 'default-scheduler' },
    });
  });

  it('never overcommits: 50 pods on 3 nodes with room for 30', async () => {
    for (const n of ['c1', 'c2', 'c3']) await addNode(n, { cpu: '2' });
    await create(...Array.from({ length: 50 }, (_, i) => pod(`burst-${i}`, { cpu: '200m' })));
    const pods = await waitFor(async () => {
      const list = await listPods();
      const bound = list.filter((p) => p.spec?.nodeName).length;
      const waiting = list.filter((p) => scheduledCondition(p)?.reason === 'Unschedulable').length;
      return bound === 30 && waiting === 20 ? list : undefined;
    }, 20_000);
    const perNode = new Map<string, number>();
    for (const p of pods) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    expect(Object.fromEntries(perNode)).toEqual({ c1: 10, c2: 10, c3: 10 });
    const stuck = pods.find((p) => !p.spec?.nodeName)!;
    expect(scheduledCondition(stuck)?.message).toBe('0/3 nodes are available: 3 Insufficient cpu.');
  });

  it('spreads pods evenly across zones with a DoNotSchedule topology spread constraint', async () => {
    for (const z of ['a', 'b', 'c']) {
      await addNode(`z${z}-1`, { zone: z });
      await addNode(`z${z}-2`, { zone: z });
    }
    const spread = [
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { app: 'spread' } },
      },
    ];
    await create(
      ...Array.from({ length: 9 }, (_, i) =>
        pod(`spread-${i}`, { topologySpreadConstraints: spread }, { app: 'spread' }),
      ),
    );
    const pods = await waitFor(async () => {
      const list = await listPods();
      return list.every((p) => p.spec?.nodeName) ? list : undefined;
    });
    const perZone = new Map<string, number>();
    for (const p of pods) {
      const zone = p.spec!.nodeName!.slice(1, 2);
      perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
    }
    expect(Object.fromEntries(perZone)).toEqual({ a: 3, b: 3, c: 3 });
  });
});
