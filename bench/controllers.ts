/**
 * Controllers benchmark: a local cluster in this process (SQLite store,
 * HTTPS API, scheduler and every controller), `BENCH_NODES` simulated Ready
 * nodes (Node objects whose Leases this process renews) and the real
 * `kubectl`. This process also plays the kubelet of every node: it marks
 * bound pods Running and Ready and finishes the graceful deletion of pods it
 * is asked to stop — those writes are counted apart.
 *
 * Measures
 * - scale: from `kubectl scale deployment/bench --replicas=N` to N pods
 *   bound, then to N pods Ready and the Deployment available;
 * - rollout: from `kubectl set image` to the Deployment showing N updated,
 *   available replicas and no old ones (default 25% surge / unavailable);
 * - API writes per pod created during the scale (and per pod replaced during
 *   the rollout), by resource, from the store's per-resource revision
 *   counters (every write takes one revision), minus the simulated
 *   kubelet's, next to what Kubernetes' own controllers and scheduler write
 *   (see `KUBERNETES_REFERENCE` and `KUBERNETES_ROLLOUT_REFERENCE`).
 * Prints one JSON document; `BENCH_OUT` also writes it to a file. Counts:
 * `BENCH_REPLICAS` (1000), `BENCH_NODES` (50).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { silentLogger } from '../core/apiserver/types.ts';
import type { Store } from '../core/storage/store.ts';
import { startLocalCluster } from '../local/cluster.ts';
import { addNode, renewLease } from '../test/integration/simulated-nodes.ts';
import { startSimulatedKubelet } from './controllers-support.ts';

const run = promisify(execFile);
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const REPLICAS = env('BENCH_REPLICAS', 1000);
const NODES = env('BENCH_NODES', 50);
const RESOURCES = ['pods', 'events', 'replicasets.apps', 'deployments.apps'];

/**
 * What Kubernetes' controllers and scheduler write for one pod a Deployment
 * scale-up creates (kubelet writes excluded): the ReplicaSet controller's pod
 * POST and its `SuccessfulCreate` Event (one Event per pod, as each message
 * names the pod), the scheduler's `pods/binding` and its `Scheduled` Event.
 * ReplicaSet/Deployment status updates and `ScalingReplicaSet` Events come
 * on top, a handful per sync, so amortized over many pods they approach 0.
 */
const KUBERNETES_REFERENCE = { pods: 2, events: 2, perPodTotal: 4 };

/**
 * Per pod a rolling update replaces, Kubernetes' controllers and scheduler
 * write the new pod's create, binding and two Events (as above), plus the
 * old pod's graceful delete (one write setting `deletionTimestamp`; the
 * kubelet's final delete is excluded) and its `SuccessfulDelete` Event;
 * ReplicaSet scaling and status writes amortize towards 0 per pod.
 */
const KUBERNETES_ROLLOUT_REFERENCE = { pods: 3, events: 3, perPodTotal: 6 };

const deploymentYaml = (replicas: number) => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: bench, namespace: default }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: bench } }
  template:
    metadata: { labels: { app: bench } }
    spec:
      containers:
      - name: app
        image: registry.local/app:1
        resources: { requests: { cpu: 10m, memory: 16Mi } }
`;

async function revisions(store: Store): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of RESOURCES) out[r] = await store.currentRevision(r);
  return out;
}

async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skube-bench-controllers-'));
  const home = mkdtempSync(join(tmpdir(), 'skube-bench-home-'));
  const cluster = await startLocalCluster({ dataDir, port: 0, logger: silentLogger });
  const kubeEnv = { ...process.env, HOME: home, KUBECONFIG: cluster.kubeconfigPath };
  const kubectl = async (args: string[], input?: string) => {
    const child = run('kubectl', args, { env: kubeEnv, maxBuffer: 64 << 20 });
    if (input !== undefined) child.child.stdin?.end(input);
    return (await child).stdout;
  };
  const { store, registry } = cluster;
  const nodeNames = Array.from({ length: NODES }, (_, i) => `node-${String(i).padStart(4, '0')}`);
  for (const n of nodeNames) await addNode(registry, n);
  const leases = setInterval(() => {
    for (const n of nodeNames) void renewLease(registry, n).catch(() => undefined);
  }, 10_000);
  const kubelet = await startSimulatedKubelet(store, registry);
  const deployment = async () =>
    (await store.get({ resource: 'deployments.apps', namespace: 'default', name: 'bench' })) as Deployment;
  const benchPods = async () =>
    (await store.list('pods', { namespace: 'default' })).items.filter(
      (p) => p.metadata.labels?.app === 'bench',
    ) as unknown as Pod[];
  try {
    await kubectl(['apply', '-f', '-'], deploymentYaml(1));
    await until(async () => (await deployment()).status?.availableReplicas === 1, 60_000, 'the first replica');

    // Scale.
    const before = await revisions(store);
    const kubeletBefore = kubelet.writes();
    const t0 = performance.now();
    await kubectl(['scale', 'deployment/bench', `--replicas=${REPLICAS}`]);
    const acknowledged = performance.now() - t0;
    await until(
      async () => (await benchPods()).filter((p) => p.spec?.nodeName).length >= REPLICAS,
      600_000,
      'bindings',
    );
    const bound = performance.now() - t0;
    await until(async () => (await deployment()).status?.availableReplicas === REPLICAS, 600_000, 'availability');
    const available = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 2000)); // let trailing status writes land
    const after = await revisions(store);
    const kubeletWrites = kubelet.writes() - kubeletBefore;
    const created = REPLICAS - 1;
    const writes: Record<string, number> = {};
    for (const r of RESOURCES) writes[r] = after[r] - before[r];
    writes.pods -= kubeletWrites;
    const perPod = Object.fromEntries(Object.entries(writes).map(([r, n]) => [r, +(n / created).toFixed(3)]));
    const perPodTotal = +(Object.values(writes).reduce((a, b) => a + b, 0) / created).toFixed(3);

    // Rolling update.
    const rolloutBefore = await revisions(store);
    const rolloutKubeletBefore = kubelet.writes();
    const r0 = performance.now();
    await kubectl(['set', 'image', 'deployment/bench', 'app=registry.local/app:2']);
    await until(
      async () => {
        const d = await deployment();
        const s = d.status;
        return (
          (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
          s?.updatedReplicas === REPLICAS &&
          s?.availableReplicas === REPLICAS &&
          s?.replicas === REPLICAS
        );
      },
      900_000,
      'the rollout',
    );
    const rollout = performance.now() - r0;
    await new Promise((r) => setTimeout(r, 2000));
    const rolloutAfter = await revisions(store);
    const rolloutWrites: Record<string, number> = {};
    for (const r of RESOURCES) rolloutWrites[r] = rolloutAfter[r] - rolloutBefore[r];
    rolloutWrites.pods -= kubelet.writes() - rolloutKubeletBefore;
    const perReplaced = Object.fromEntries(
      Object.entries(rolloutWrites).map(([r, n]) => [r, +(n / REPLICAS).toFixed(3)]),
    );
    const perReplacedTotal = +(Object.values(rolloutWrites).reduce((a, b) => a + b, 0) / REPLICAS).toFixed(3);
    const result = {
      benchmark: 'controllers',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, loadavg: loadavg().map((l) => +l.toFixed(2)) },
      replicas: REPLICAS,
      nodes: NODES,
      scale: {
        kubectlMs: Math.round(acknowledged),
        toAllBoundMs: Math.round(bound),
        toAllAvailableMs: Math.round(available),
        boundPerSecond: Math.round((created / bound) * 1000),
      },
      rollingUpdate: {
        strategy: 'RollingUpdate 25%/25%',
        toCompleteMs: Math.round(rollout),
        writesPerPodReplaced: {
          skube: { ...perReplaced, total: perReplacedTotal },
          kubernetes: KUBERNETES_ROLLOUT_REFERENCE,
        },
      },
      writesPerPodCreated: { skube: { ...perPod, total: perPodTotal }, kubernetes: KUBERNETES_REFERENCE },
      simulatedKubeletWrites: kubeletWrites,
      note: 'One process runs API server, store, scheduler, controllers, simulated kubelet and kubectl calls on a shared machine.',
    };
    const json = JSON.stringify(result, null, 2);
    process.stdout.write(`${json}\n`);
    if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, `${json}\n`);
  } finally {
    clearInterval(leases);
    kubelet.stop();
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
