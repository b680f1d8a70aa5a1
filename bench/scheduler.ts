/**
 * Scheduler benchmark: simulated nodes (Node objects only, no agent) and
 * pending pods in a local SQLite store, scheduled by the real loop in this
 * process. Pods are created through the Registry (the API's create pipeline
 * without HTTP), so the figures are the scheduler's, not the HTTP server's.
 *
 * Per node count it measures
 * - throughput: `BENCH_PODS` identical pods of one ReplicaSet created while
 *   the scheduler is stopped, then the time from starting it to the last
 *   binding seen in a watch;
 * - latency: at each rate of `BENCH_RATES` pods/s, `BENCH_LATENCY_PODS` pods
 *   created while it runs, from the create being acknowledged to the binding
 *   seen in a watch (creating pods costs this process CPU too, so a rate the
 *   process cannot sustain measures its backlog);
 * - placement: max − min pods per node after the throughput phase (identical
 *   pods, identical nodes), and the zone skew of `BENCH_SPREAD_PODS` pods with
 *   a maxSkew 1 zone constraint.
 * Prints one JSON document. Counts: `BENCH_NODES` (comma-separated, default
 * 100,1000,5000), `BENCH_PODS` (10000), `BENCH_LATENCY_PODS` (2000),
 * `BENCH_RATES` (250,1000; empty skips), `BENCH_SPREAD_PODS` (1000; 0 skips),
 * `BENCH_ZONES` (3). `BENCH_CPU_PROFILE=<file>` writes a V8 CPU profile of
 * the throughput phase alone (of the last node count).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../core/api/object.ts';
import { findResource, type ResourceInfo } from '../core/api/resources.ts';
import { MASTERS_GROUP } from '../core/apiserver/auth.ts';
import { silentLogger } from '../core/apiserver/types.ts';
import { Registry } from '../core/registry/registry.ts';
import type { RequestContext } from '../core/registry/strategy.ts';
import { startScheduler } from '../core/scheduler/loop.ts';
import { createSqliteStore } from '../core/storage/sqlite/sqlite-store.ts';
import type { Store } from '../core/storage/store.ts';
import { type BindWatch, maxMinusMin, percentile, watchBindings } from './scheduler-support.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const NODE_COUNTS = (process.env.BENCH_NODES ?? '100,1000,5000').split(',').map(Number);
const PODS = env('BENCH_PODS', 10_000);
const LATENCY_PODS = env('BENCH_LATENCY_PODS', 2_000);
const RATES = (process.env.BENCH_RATES ?? '250,1000')
  .split(',')
  .map(Number)
  .filter((r) => r > 0);
const SPREAD_PODS = env('BENCH_SPREAD_PODS', 1_000);
const ZONES = env('BENCH_ZONES', 3);
const CREATE_CONCURRENCY = 64;
const NAMESPACE = 'bench';

const info = (group: string, version: string, resource: string) =>
  findResource(group, version, resource) as ResourceInfo;
const NODES = info('', 'v1', 'nodes');
const PODS_INFO = info('', 'v1', 'pods');
const NAMESPACES = info('', 'v1', 'namespaces');
const REPLICASETS = info('apps', 'v1', 'replicasets');
const ctx = (): RequestContext => ({
  user: { name: 'bench', groups: [MASTERS_GROUP] },
  now: new Date(),
  dryRun: false,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `count` tasks with at most `limit` in flight. */
async function pool(count: number, limit: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

async function addNodes(registry: Registry, count: number): Promise<void> {
  const allocatable = { cpu: '32', memory: '128Gi', pods: '250', 'ephemeral-storage': '100Gi' };
  await pool(count, CREATE_CONCURRENCY, async (i) => {
    const name = `node-${i}`;
    const labels = { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % ZONES}` };
    const node: Node = { metadata: { name, labels } };
    await registry.create(ctx(), NODES, '', node as KubeObject);
    const status = { capacity: allocatable, allocatable, conditions: [{ type: 'Ready', status: 'True' }] };
    await registry.update(ctx(), NODES, '', name, { ...node, status } as KubeObject, 'status');
  });
}

function makePod(
  name: string,
  labels: Record<string, string>,
  extra: Partial<Pod['spec']> = {},
  owner?: KubeObject,
): Pod {
  const ownerReferences = owner
    ? [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: owner.metadata.name!,
          uid: owner.metadata.uid!,
          controller: true,
        },
      ]
    : undefined;
  return {
    metadata: { name, labels, ownerReferences },
    spec: {
      containers: [
        { name: 'app', image: 'registry.local/app:1', resources: { requests: { cpu: '100m', memory: '128Mi' } } },
      ],
      ...extra,
    },
  };
}

const createPod = (registry: Registry, pod: Pod) => registry.create(ctx(), PODS_INFO, NAMESPACE, pod as KubeObject);

interface Latency {
  pods: number;
  ratePerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Creates `LATENCY_PODS` pods at `rate` per second and measures create-acknowledged → bound-in-watch. */
async function measureLatency(registry: Registry, watch: BindWatch, rate: number): Promise<Latency> {
  const acked = new Map<string, number>();
  const paced = Array.from({ length: LATENCY_PODS }, (_, i) => `paced-${rate}-${i}`);
  const t0 = performance.now();
  const creations: Promise<unknown>[] = [];
  for (let i = 0; i < paced.length; i++) {
    const due = t0 + (i * 1000) / rate;
    if (due > performance.now() + 1) await sleep(due - performance.now());
    const name = paced[i];
    creations.push(createPod(registry, makePod(name, { app: 'paced' })).then(() => acked.set(name, performance.now())));
  }
  await Promise.all(creations);
  await waitAll(watch, paced);
  const latencies = paced.map((n) => watch.boundAt.get(n)! - acked.get(n)!).sort((a, b) => a - b);
  return {
    pods: LATENCY_PODS,
    ratePerSecond: rate,
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies[latencies.length - 1]),
  };
}

interface ScaleResult {
  nodes: number;
  throughput: { pods: number; seconds: number; podsPerSecond: number; cpuMsPerPod: number };
  latency: Latency[];
  placement: {
    identicalPodsPerNode: { min: number; max: number; maxMinusMin: number };
    zoneSpread: { pods: number; zones: number; perZone: Record<string, number>; skew: number | null };
  };
}

async function waitAll(watch: BindWatch, names: string[], timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (names.some((n) => !watch.boundAt.has(n))) {
    if (Date.now() > deadline) throw new Error(`only ${names.filter((n) => watch.boundAt.has(n)).length} bound`);
    await sleep(5);
  }
}

async function runScale(nodeCount: number): Promise<ScaleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'skube-bench-sched-'));
  const store: Store = createSqliteStore({ path: join(dir, 'skube.db') });
  const registry = new Registry({
    store,
    uid: randomUUID,
    random: Math.random,
    serviceCidr: '10.96.0.0/12',
    nodePortRange: { min: 30000, max: 32767 },
  });
  try {
    for (const name of ['default', NAMESPACE]) await registry.create(ctx(), NAMESPACES, '', { metadata: { name } });
    await addNodes(registry, nodeCount);
    const rs = await registry.create(ctx(), REPLICASETS, NAMESPACE, {
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'app' }] } },
      },
    });

    // Throughput: a backlog of identical pods, then the scheduler starts.
    const burst = Array.from({ length: PODS }, (_, i) => `web-${i}`);
    await pool(PODS, CREATE_CONCURRENCY, (i) => createPod(registry, makePod(burst[i], { app: 'web' }, {}, rs)));
    const watch = await watchBindings(store);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const profiler = process.env.BENCH_CPU_PROFILE ? await startProfile() : undefined;
    const scheduler = await startScheduler({ store, registry, logger: silentLogger });
    await waitAll(watch, burst);
    await profiler?.stop(process.env.BENCH_CPU_PROFILE!);
    const seconds = (Math.max(...burst.map((n) => watch.boundAt.get(n)!)) - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const identical = maxMinusMin(
      burst.map((n) => watch.nodeOf.get(n)!),
      nodeCount,
    );

    // Latency: pods arriving at a steady rate while the scheduler runs (after the backlog's events are written).
    await scheduler.idle();
    const latency: Latency[] = [];
    for (const rate of RATES) {
      latency.push(await measureLatency(registry, watch, rate));
      await scheduler.idle();
    }

    // Spread: a maxSkew 1 zone constraint over zones of identical nodes.
    const constraint = {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { app: 'spread' } },
    };
    const spread = Array.from({ length: SPREAD_PODS }, (_, i) => `spread-${i}`);
    if (SPREAD_PODS === 0) spread.length = 0;
    await pool(SPREAD_PODS, CREATE_CONCURRENCY, (i) =>
      createPod(registry, makePod(spread[i], { app: 'spread' }, { topologySpreadConstraints: [constraint] })),
    );
    await waitAll(watch, spread);
    const perZone: Record<string, number> = {};
    for (const n of spread) {
      const zone = `zone-${Number(watch.nodeOf.get(n)!.slice('node-'.length)) % ZONES}`;
      perZone[zone] = (perZone[zone] ?? 0) + 1;
    }
    const zoneCounts = Array.from({ length: ZONES }, (_, z) => perZone[`zone-${z}`] ?? 0);

    await scheduler.stop();
    watch.stop();
    return {
      nodes: nodeCount,
      throughput: {
        pods: PODS,
        seconds: round(seconds),
        podsPerSecond: Math.round(PODS / seconds),
        // The process's CPU time per pod: what the machine's other load does not change.
        cpuMsPerPod: Math.round((cpu.user + cpu.system) / 10 / PODS) / 100,
      },
      latency,
      placement: {
        identicalPodsPerNode: identical,
        zoneSpread: {
          pods: SPREAD_PODS,
          zones: ZONES,
          perZone,
          skew: SPREAD_PODS === 0 ? null : Math.max(...zoneCounts) - Math.min(...zoneCounts),
        },
      },
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Starts V8's CPU profiler in this process; `stop(file)` writes the profile (a .cpuprofile for DevTools). */
async function startProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) => session.post(method, (err, out) => (err ? reject(err) : resolve(out))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const runs: ScaleResult[] = [];
for (const n of NODE_COUNTS) runs.push(await runScale(n));
const largest = runs[runs.length - 1];
const at1000 = largest.latency.find((l) => l.ratePerSecond === 1000);
console.log(
  JSON.stringify(
    {
      benchmark: 'scheduler',
      method:
        'Pods are created through the Registry (the API create pipeline, no HTTP) in a SQLite store; the real ' +
        'scheduler loop (core/scheduler/loop.ts, default plugins, bindings through core/registry/binding.ts, ' +
        'Scheduled events on) runs in this process. Throughput: a backlog of identical ReplicaSet pods, from ' +
        'starting the scheduler (initial list included) to the last binding seen in a watch. Latency: pods ' +
        'created at a fixed rate, from the create acknowledged to the binding seen in a watch.',
      machine: { cpus: cpus().length, node: process.version, loadAverage: loadavg().map(round) },
      nodeShape: { cpu: '32', memory: '128Gi', pods: 250, zones: ZONES },
      podShape: { requests: { cpu: '100m', memory: '128Mi' } },
      runs,
      targets: {
        at: `${largest.nodes} nodes / ${PODS} pods`,
        throughputAtLeast1000PodsPerSecond: largest.throughput.podsPerSecond >= 1000,
        p99AtMost100MsAt1000PodsPerSecond: at1000 ? at1000.p99Ms <= 100 : null,
        maxMinusMinAtMost1: largest.placement.identicalPodsPerNode.maxMinusMin <= 1,
      },
    },
    null,
    2,
  ),
);
