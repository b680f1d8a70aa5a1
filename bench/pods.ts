/**
 * Pod startup benchmark (`npm run bench:pods`): a local cluster (API,
 * scheduler, controllers in this process) with two real node agents as
 * child processes on 127.0.0.2 and 127.0.0.3, running pods in Docker from a
 * local image (already present: `imagePullPolicy: IfNotPresent`).
 *
 * For every pod it records, from one watch and the agents' logs:
 * - created: the create request was answered;
 * - bound: the watch saw `spec.nodeName`;
 * - seen: the agent's informer delivered the pod (its `pod added` log line);
 * - running: the watch saw `phase: Running`.
 * Control-plane time is created → seen, node time is seen → running (pull
 * check, pause + app containers, status write), overall created → running.
 * Two runs: a steady one (`BENCH_RATE` pods/s until `BENCH_PODS` exist;
 * default 5/s and 100) and a burst (`BENCH_PODS` created at once). Agent
 * RSS is read with about `BENCH_PODS`/2 pods on each agent. For comparison,
 * the same counts of pause + app container pairs started through the Docker
 * runtime alone (no API, no agent). Prints one JSON
 * document (results go to bench/results/pods-<date>.json); `BENCH_AGENT_LOG=file`
 * keeps the agents' debug logs (per-step timings).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ApiClient } from '../core/client/api-client.ts';
import { loadKubeconfig } from '../core/client/kubeconfig.ts';
import { dockerRuntime } from '../agent/kubelet/docker-runtime.ts';
import { LABELS } from '../agent/kubelet/runtime.ts';
import { removeNodeContainers, startAgentCluster, uniqueNodeName } from '../test/support/agent-cluster.ts';
import { dockerForTests, TEST_IMAGES } from '../test/support/docker.ts';
import { eventually } from '../test/support/local-cluster.ts';
import { percentile } from './harness.ts';

const PODS = Number(process.env.BENCH_PODS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 5);
const NS = 'bench';

interface Times {
  created?: number;
  bound?: number;
  seen?: number;
  running?: number;
}

const stats = (xs: number[]) => ({
  n: xs.length,
  p50: Math.round(percentile(xs, 50)),
  p99: Math.round(percentile(xs, 99)),
  max: Math.round(Math.max(...xs)),
});

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
}

const podBody = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: NS, labels: { bench: 'pods' } },
  spec: {
    terminationGracePeriodSeconds: 0,
    containers: [
      { name: 'app', image: TEST_IMAGES.local, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] },
    ],
  },
});

/**
 * Docker alone, for comparison: pause + app container pairs created and
 * started straight through the runtime at the same rate (or all at once),
 * as the kubelet would, without the API, scheduler or agent.
 */
async function dockerBaseline(count: number, rate: number | undefined): Promise<ReturnType<typeof stats>> {
  const runtime = dockerRuntime();
  const node = uniqueNodeName('bench-docker');
  const labels = (i: number, name: string) => ({
    [LABELS.node]: node,
    [LABELS.podUid]: `p${i}`,
    [LABELS.containerName]: name,
  });
  const latencies: number[] = [];
  const started = Date.now();
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        if (rate) await new Promise((r) => setTimeout(r, Math.max(0, started + (i * 1000) / rate - Date.now())));
        const t0 = Date.now();
        const pause = await runtime.create({
          name: `${node}-pause-${i}`,
          image: TEST_IMAGES.local,
          labels: labels(i, 'POD'),
          entrypoint: ['sleep', '2147483647'],
          networkMode: 'bridge',
          hostname: `p${i}`,
        });
        await runtime.start(pause);
        const app = await runtime.create({
          name: `${node}-app-${i}`,
          image: TEST_IMAGES.local,
          labels: labels(i, 'app'),
          entrypoint: ['sleep', '3600'],
          networkMode: `container:${pause}`,
        });
        await runtime.start(app);
        latencies.push(Date.now() - t0);
      }),
    );
  } finally {
    await removeNodeContainers([node]);
  }
  return stats(latencies);
}

async function main(): Promise<void> {
  const d = await dockerForTests();
  if ('skip' in d) throw new Error(d.skip);
  const nodes = [
    { name: uniqueNodeName('bench-a'), ip: '127.0.0.2' },
    { name: uniqueNodeName('bench-b'), ip: '127.0.0.3' },
  ];
  const cluster = await startAgentCluster({ nodes, agentArgs: ['--log-level', 'debug'] });
  const client = new ApiClient(loadKubeconfig(cluster.test.kubeconfig));
  const times = new Map<string, Times>();
  const load: number[][] = [];
  try {
    await client.create('/api/v1/namespaces', { metadata: { name: NS } });
    // One watch for the whole run, reopened if the server ends it.
    let watching = true;
    let watch: ReturnType<typeof client.watch<Pod>> | undefined;
    void (async () => {
      while (watching) {
        watch = client.watch<Pod>(`/api/v1/namespaces/${NS}/pods`, { resourceVersion: '0' });
        try {
          for await (const ev of watch) {
            const name = ev.object.metadata?.name ?? '';
            const t = times.get(name);
            if (!t) continue;
            const now = Date.now();
            if (ev.object.spec?.nodeName && !t.bound) t.bound = now;
            if (ev.object.status?.phase === 'Running' && !t.running) t.running = now;
          }
        } catch {
          // Reopened below.
        }
      }
    })();
    const seenFromLogs = () => {
      for (const a of cluster.agents.values()) {
        for (const line of a.output().split('\n')) {
          if (!line.includes('"pod added"')) continue;
          const rec = JSON.parse(line) as { time: number; pod: string };
          const t = times.get(rec.pod.replace(`${NS}/`, ''));
          if (t && !t.seen) t.seen = rec.time;
        }
      }
    };
    const create = async (name: string) => {
      times.set(name, {});
      await client.create(`/api/v1/namespaces/${NS}/pods`, podBody(name));
      times.get(name)!.created = Date.now();
    };
    const allRunning = (names: string[]) => eventually(() => names.every((n) => times.get(n)?.running), 300_000, 200);
    const summarize = (names: string[]) => {
      seenFromLogs();
      const ts = names.map((n) => times.get(n)!);
      const ok = ts.filter((t) => t.created && t.seen && t.running && t.bound);
      return {
        pods: names.length,
        complete: ok.length,
        overallMs: stats(ok.map((t) => t.running! - t.created!)),
        controlPlaneMs: stats(ok.map((t) => t.seen! - t.created!)),
        createToBoundMs: stats(ok.map((t) => t.bound! - t.created!)),
        nodeMs: stats(ok.map((t) => t.running! - t.seen!)),
      };
    };
    const deleteAll = async () => {
      await client.request('DELETE', `/api/v1/namespaces/${NS}/pods`, { query: { labelSelector: 'bench=pods' } });
      await eventually(
        async () => (await client.list(`/api/v1/namespaces/${NS}/pods`)).items.length === 0,
        300_000,
        500,
      );
    };

    const dockerSteady = await dockerBaseline(PODS, RATE);
    load.push(loadavg());
    const dockerBurst = await dockerBaseline(PODS, undefined);
    load.push(loadavg());

    // Steady: RATE pods/s until PODS exist.
    const steady = Array.from({ length: PODS }, (_, i) => `steady-${i}`);
    const started = Date.now();
    const creates: Promise<void>[] = [];
    for (let i = 0; i < steady.length; i++) {
      const due = started + (i * 1000) / RATE;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
      creates.push(create(steady[i]));
      if (i % 20 === 0) load.push(loadavg());
    }
    await Promise.all(creates);
    await allRunning(steady);
    const steadyResult = summarize(steady);
    const rss = [...cluster.agents.values()].map((a) => ({ node: a.node.name, rssMiB: rssMiB(a.process.pid!) }));
    const perNode = new Map<string, number>();
    for (const p of (await client.list<Pod>(`/api/v1/namespaces/${NS}/pods`)).items) {
      perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
    }
    await deleteAll();

    // Burst: PODS at once.
    const burst = Array.from({ length: PODS }, (_, i) => `burst-${i}`);
    load.push(loadavg());
    await Promise.all(burst.map(create));
    await allRunning(burst);
    const burstResult = summarize(burst);
    load.push(loadavg());
    await deleteAll();
    watching = false;
    watch?.stop();

    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'pods',
          date: new Date().toISOString(),
          machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
          loadavgDuringRun: load.map((l) => l.map((x) => Math.round(x * 100) / 100)),
          nodes: nodes.map((n) => n.ip),
          steady: { ratePerSecond: RATE, ...steadyResult },
          burst: burstResult,
          dockerAloneMs: { steady: dockerSteady, burst: dockerBurst },
          agentRss: rss.map((r) => ({ ...r, pods: perNode.get(r.node) ?? 0 })),
          targets: { steadyOverallP99Ms: 1500, steadyControlPlaneP99Ms: 100, agentRssMiBWith50Pods: 150 },
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    if (process.env.BENCH_AGENT_LOG) {
      writeFileSync(process.env.BENCH_AGENT_LOG, [...cluster.agents.values()].map((a) => a.output()).join('\n'));
    }
    client.close();
    await cluster.cleanup();
  }
}

await main();
process.exit(0);
