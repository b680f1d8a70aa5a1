/**
 * Benchmark plumbing: a `skube up` server in a child process (so the load
 * generator does not share its event loop), an HTTPS keep-alive client with
 * the admin token, latency percentiles and the server's RSS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

/** A benchmark target: the server process and a client for it. */
export interface BenchServer {
  url: string;
  pid: number;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
  /** Opens a watch and calls `onLine` for every event line. Returns a stop function. */
  watch(path: string, onLine: (line: string, at: number) => void): Promise<() => void>;
  rssMiB(): number;
  /** CPU seconds (user + system) the server process has used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Starts `skube up` on a free port in a temp data dir. */
export async function startBenchServer(maxSockets: number, extraArgs: string[] = []): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skube-bench-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      'bin/skube.mjs',
      'up',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--log-level',
      'warn',
      '--log-format',
      'json',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /skube API server: (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const kc = parse(readFileSync(join(dataDir, 'kubeconfig'), 'utf8'));
  const token: string = kc.users[0].user.token;
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
  const agent = new Agent({ keepAlive: true, maxSockets, ca });
  const base = new URL(url);
  const call = (method: string, path: string, body?: unknown) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (data += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const watchAgent = new Agent({ keepAlive: false, ca });
  return {
    url,
    pid: child.pid ?? 0,
    call,
    watch: (path, onLine) =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            agent: watchAgent,
            host: base.hostname,
            port: base.port,
            path,
            headers: { authorization: `Bearer ${token}` },
          },
          (res) => {
            let buf = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => {
              const at = performance.now();
              buf += c;
              let i = buf.indexOf('\n');
              while (i >= 0) {
                onLine(buf.slice(0, i), at);
                buf = buf.slice(i + 1);
                i = buf.indexOf('\n');
              }
            });
            resolve(() => req.destroy());
          },
        );
        req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
        req.end();
      }),
    rssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return Math.round(kb / 102.4) / 10;
    },
    cpuSeconds() {
      // Fields 14 and 15 of /proc/PID/stat: utime and stime in clock ticks (100 per second on Linux).
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    async stop() {
      agent.destroy();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** p-th percentile (0..100) of a list of numbers, by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[idx] * 100) / 100;
}

/** Runs `op(i)` for i in [0, total) with `concurrency` workers; returns per-op latencies (ms) and elapsed seconds. */
export async function runConcurrent(total: number, concurrency: number, op: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { latencies, seconds, perSecond: Math.round(total / seconds) };
}
