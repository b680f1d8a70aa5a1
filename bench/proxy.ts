/**
 * `npm run bench:proxy`: what the userspace Service proxy costs. A "pod"
 * (a keep-alive HTTP server in its own process on 127.0.0.1) is loaded by
 * autocannon with 50 connections, straight and through the agent's Proxier
 * (in a process of its own, listening on a loopback ClusterIP), in
 * alternating rounds so machine noise hits both. Prints one JSON document
 * (requests/s, latency percentiles, the proxy's CPU and RSS) and writes it
 * to bench/results/proxy-<date>.json. Loopback only; bounded duration.
 *
 * Flags: --duration <s> (per round, default 10), --rounds <n> (default 3),
 * --connections <n> (default 50), --out <file>.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Proxier } from '../agent/proxy/proxier.ts';
import { silentLogger } from '../core/apiserver/types.ts';

const CLUSTER_IP = '127.100.0.10';
const SERVICE_PORT = 8080;

interface Ready {
  port: number;
}
interface Usage {
  cpuMicros: number;
  rssBytes: number;
}

/** Child role "backend": a small keep-alive HTTP server, like a pod's app. */
function runBackend(): void {
  const body = Buffer.from('hello from the pod\n');
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as { port: number }).port }));
  serveUsage();
}

/** Child role "proxy": the agent's Proxier with one Service port forwarding to the backend. */
async function runProxy(backendPort: number): Promise<void> {
  const proxier = new Proxier({ node: { nodeIp: '127.0.0.1' }, logger: silentLogger });
  await proxier.apply([
    {
      id: 'default/bench:/TCP',
      namespace: 'default',
      name: 'bench',
      portName: '',
      protocol: 'TCP',
      clusterIP: CLUSTER_IP,
      port: SERVICE_PORT,
      backends: [{ ip: '127.0.0.1', port: backendPort }],
      mode: 'round-robin',
    },
  ]);
  if (proxier.unbound().size) throw new Error(`proxy could not bind: ${[...proxier.unbound().values()].join(', ')}`);
  process.send?.({ port: SERVICE_PORT });
  serveUsage();
}

function serveUsage(): void {
  process.on('message', (m) => {
    if (m !== 'usage') return;
    const u = process.cpuUsage();
    process.send?.({ cpuMicros: u.user + u.system, rssBytes: process.memoryUsage().rss } satisfies Usage);
  });
  process.on('disconnect', () => process.exit(0));
}

function start(role: string, ...args: string[]): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(join(import.meta.dirname, 'proxy.ts'), [role, ...args], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ready: m as Ready }));
    child.once('exit', (code) => reject(new Error(`${role} exited ${code}`)));
  });
}

const usage = (child: ChildProcess) =>
  new Promise<Usage>((resolve) => {
    child.once('message', (m) => resolve(m as Usage));
    child.send('usage');
  });

interface Round {
  target: 'direct' | 'proxy';
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  non2xx: number;
  backendCpuMsPer1kRequests: number;
  proxyCpuMsPer1kRequests?: number;
}

async function load(url: string, connections: number, duration: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration, pipelining: 1 });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const duration = flag('duration', 10);
  const rounds = flag('rounds', 3);
  const connections = flag('connections', 50);
  const outIdx = process.argv.indexOf('--out');
  const date = new Date().toISOString().slice(0, 10);
  const out = outIdx > 0 ? (process.argv[outIdx + 1] as string) : join('bench', 'results', `proxy-${date}.json`);
  const loadBefore = loadavg();
  const backend = await start('backend');
  const proxy = await start('proxy', String(backend.ready.port));
  const direct = `http://127.0.0.1:${backend.ready.port}/`;
  const proxied = `http://${CLUSTER_IP}:${SERVICE_PORT}/`;
  try {
    await load(direct, connections, 2);
    await load(proxied, connections, 2);
    const results: Round[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const target of ['direct', 'proxy'] as const) {
        const before = await usage(proxy.child);
        const backendBefore = await usage(backend.child);
        const res = await load(target === 'direct' ? direct : proxied, connections, duration);
        const after = await usage(proxy.child);
        const backendAfter = await usage(backend.child);
        const total = res.requests.total || 1;
        results.push({
          target,
          requestsPerSecond: res.requests.average,
          latencyMs: { p50: res.latency.p50, p90: res.latency.p90, p99: res.latency.p99, max: res.latency.max },
          errors: res.errors,
          non2xx: res.non2xx,
          backendCpuMsPer1kRequests: ((backendAfter.cpuMicros - backendBefore.cpuMicros) / 1000 / total) * 1000,
          ...(target === 'proxy'
            ? { proxyCpuMsPer1kRequests: ((after.cpuMicros - before.cpuMicros) / 1000 / total) * 1000 }
            : {}),
        });
      }
    }
    const of = (t: Round['target']) => results.filter((x) => x.target === t);
    const directRps = median(of('direct').map((x) => x.requestsPerSecond));
    const proxyRps = median(of('proxy').map((x) => x.requestsPerSecond));
    const directP99 = median(of('direct').map((x) => x.latencyMs.p99));
    const proxyP99 = median(of('proxy').map((x) => x.latencyMs.p99));
    const report = {
      benchmark: 'proxy',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      loadAverage: { before: loadBefore, after: loadavg() },
      setup: {
        connections,
        durationSecondsPerRound: duration,
        rounds,
        backend: 'node:http keep-alive server in its own process on 127.0.0.1 (stands in for the pod)',
        proxy: `agent/proxy Proxier in its own process, ClusterIP ${CLUSTER_IP}:${SERVICE_PORT} on lo`,
        client: 'autocannon in the benchmark process, HTTP/1.1 keep-alive, pipelining 1',
      },
      summary: {
        directRequestsPerSecond: directRps,
        proxyRequestsPerSecond: proxyRps,
        proxyShareOfDirect: proxyRps / directRps,
        target: 0.7,
        met: proxyRps / directRps >= 0.7,
        directP99Ms: directP99,
        proxyP99Ms: proxyP99,
        addedP99Ms: proxyP99 - directP99,
        proxyCpuMsPer1kRequests: median(of('proxy').map((x) => x.proxyCpuMsPer1kRequests ?? 0)),
        backendCpuMsPer1kRequests: median(results.map((x) => x.backendCpuMsPer1kRequests)),
        requestsPerSecondSpread: {
          direct: [
            Math.min(...of('direct').map((x) => x.requestsPerSecond)),
            Math.max(...of('direct').map((x) => x.requestsPerSecond)),
          ],
          proxy: [
            Math.min(...of('proxy').map((x) => x.requestsPerSecond)),
            Math.max(...of('proxy').map((x) => x.requestsPerSecond)),
          ],
        },
        proxyRssMiB: (await usage(proxy.child)).rssBytes / 2 ** 20,
      },
      rounds: results,
    };
    const json = JSON.stringify(report, null, 2);
    writeFileSync(out, `${json}\n`);
    console.log(json);
  } finally {
    proxy.child.kill();
    backend.child.kill();
  }
}

const [role, arg] = process.argv.slice(2);
if (role === 'backend') runBackend();
else if (role === 'proxy') void runProxy(Number(arg));
else await main();
