/**
 * `npm run bench:api`: pod create, get and list (1,000 pods) latency and
 * throughput at 1, 8 and 32 concurrent clients against a local cluster with
 * the SQLite store, watch delivery latency after the write's response, and
 * the server's RSS with 10,000 pods stored. Prints one JSON document.
 */
import { cpus, totalmem } from 'node:os';
import { percentile, runConcurrent, startBenchServer } from './harness.ts';

const CONCURRENCY = [1, 8, 32];
const CREATES_PER_LEVEL = Number(process.env.BENCH_CREATES ?? 2000);
const RSS_PODS = Number(process.env.BENCH_RSS_PODS ?? 10_000);

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'bench', tier: 'web' } },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'registry.local/app:1.0',
        ports: [{ containerPort: 8080 }],
        resources: { requests: { cpu: '100m', memory: '64Mi' } },
      },
    ],
  },
});

async function ensureNamespace(call: Awaited<ReturnType<typeof startBenchServer>>['call'], ns: string) {
  const r = await call('POST', '/api/v1/namespaces', { metadata: { name: ns } });
  if (r.status !== 201 && r.status !== 409) throw new Error(`namespace: ${r.status} ${r.body}`);
}

async function main() {
  // The API alone: no scheduler or workload controllers reacting to the benchmark's pods.
  const server = await startBenchServer(64, ['--no-scheduler', '--no-controllers']);
  const result: Record<string, unknown> = {
    benchmark: 'api',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    store: 'sqlite',
    note: 'skube up --no-scheduler --no-controllers over HTTPS; clients in a separate process',
    levels: [] as unknown[],
  };
  try {
    for (const c of CONCURRENCY) {
      const ns = `bench-c${c}`;
      await ensureNamespace(server.call, ns);
      const cpuBefore = server.cpuSeconds();
      const create = await runConcurrent(CREATES_PER_LEVEL, c, async (i) => {
        const r = await server.call('POST', `/api/v1/namespaces/${ns}/pods`, pod(`p-${i}`));
        if (r.status !== 201) throw new Error(`create: ${r.status} ${r.body}`);
      });
      const serverCpuMsPerCreate =
        Math.round(((server.cpuSeconds() - cpuBefore) * 1000 * 100) / CREATES_PER_LEVEL) / 100;
      const get = await runConcurrent(CREATES_PER_LEVEL, c, async (i) => {
        const r = await server.call('GET', `/api/v1/namespaces/${ns}/pods/p-${i % CREATES_PER_LEVEL}`);
        if (r.status !== 200) throw new Error(`get: ${r.status}`);
      });
      const listNs = 'bench-list';
      if (c === CONCURRENCY[0]) {
        await ensureNamespace(server.call, listNs);
        await runConcurrent(1000, 16, async (i) => {
          await server.call('POST', `/api/v1/namespaces/${listNs}/pods`, pod(`l-${i}`));
        });
      }
      const listOps = Math.max(20, Math.round(200 / Math.sqrt(c)));
      const list = await runConcurrent(listOps, c, async () => {
        const r = await server.call('GET', `/api/v1/namespaces/${listNs}/pods`);
        if (r.status !== 200) throw new Error(`list: ${r.status}`);
      });
      (result.levels as unknown[]).push({
        clients: c,
        create: {
          ops: CREATES_PER_LEVEL,
          perSecond: create.perSecond,
          p50ms: percentile(create.latencies, 50),
          p99ms: percentile(create.latencies, 99),
          serverCpuMsPerCreate,
        },
        get: {
          ops: CREATES_PER_LEVEL,
          perSecond: get.perSecond,
          p50ms: percentile(get.latencies, 50),
          p99ms: percentile(get.latencies, 99),
        },
        list1000: {
          ops: listOps,
          perSecond: list.perSecond,
          p50ms: percentile(list.latencies, 50),
          p99ms: percentile(list.latencies, 99),
        },
      });
    }

    // Watch delivery: time from a create's response to the event on an open watch.
    const wns = 'bench-watch';
    await ensureNamespace(server.call, wns);
    const seen = new Map<string, number>();
    const rv = JSON.parse((await server.call('GET', `/api/v1/namespaces/${wns}/pods`)).body).metadata.resourceVersion;
    const stop = await server.watch(`/api/v1/namespaces/${wns}/pods?watch=true&resourceVersion=${rv}`, (line, at) => {
      const e = JSON.parse(line);
      if (e.type === 'ADDED') seen.set(e.object.metadata.name, at);
    });
    const delivery: number[] = [];
    for (let i = 0; i < 500; i++) {
      const name = `w-${i}`;
      await server.call('POST', `/api/v1/namespaces/${wns}/pods`, pod(name));
      const responded = performance.now();
      const deadline = responded + 2000;
      while (!seen.has(name) && performance.now() < deadline) await new Promise((r) => setImmediate(r));
      const at = seen.get(name);
      if (at !== undefined) delivery.push(Math.max(0, at - responded));
    }
    stop();
    result.watchDelivery = {
      events: delivery.length,
      p50ms: percentile(delivery, 50),
      p99ms: percentile(delivery, 99),
    };

    // Memory with RSS_PODS pods stored (including those created above).
    const stored = 3 * CREATES_PER_LEVEL + 1000 + 500;
    const rns = 'bench-rss';
    await ensureNamespace(server.call, rns);
    await runConcurrent(Math.max(0, RSS_PODS - stored), 32, async (i) => {
      await server.call('POST', `/api/v1/namespaces/${rns}/pods`, pod(`r-${i}`));
    });
    await server.call('GET', '/api/v1/pods?limit=500');
    result.memory = { podsStored: Math.max(RSS_PODS, stored), serverRssMiB: server.rssMiB() };
  } finally {
    await server.stop();
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

await main();
