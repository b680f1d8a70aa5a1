/**
 * Starts a real local cluster (SQLite store, HTTPS API on a free loopback
 * port, generated kubeconfig) in a temporary directory for integration tests,
 * and runs the real `kubectl` against it with an isolated HOME so kubectl's
 * discovery cache never leaks between tests.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '../../core/apiserver/types.ts';
import { type LocalCluster, type LocalClusterOptions, startLocalCluster } from '../../local/cluster.ts';

const run = promisify(execFile);

/** The result of one kubectl invocation. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A cluster under test with a kubectl bound to it. */
export interface TestCluster {
  cluster: LocalCluster;
  dataDir: string;
  kubeconfig: string;
  /** Runs kubectl; never throws on a non-zero exit (check `code`). */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  /** Runs kubectl and throws with its stderr unless it exits 0; returns stdout. */
  kubectlOk(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** Starts a long-running kubectl (e.g. `get -w`) and collects its output. */
  kubectlStream(args: string[]): { output: () => string; stop: () => Promise<void> };
  /** Stops the cluster (data stays until `cleanup`). */
  stop(): Promise<void>;
  /** Starts the cluster again on the same data directory. */
  restart(): Promise<void>;
  /** Stops and removes everything. */
  cleanup(): Promise<void>;
}

/** Starts a local cluster for a test file. */
export async function startTestCluster(opts: Partial<LocalClusterOptions> = {}): Promise<TestCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skube-test-'));
  const home = mkdtempSync(join(tmpdir(), 'skube-home-'));
  const options: LocalClusterOptions = { dataDir, port: 0, logger: silentLogger, ...opts };
  let cluster = await startLocalCluster(options);
  const env = { ...process.env, HOME: home, KUBECONFIG: cluster.kubeconfigPath };
  const kubectl = async (args: string[], o: { input?: string; timeoutMs?: number } = {}): Promise<KubectlResult> => {
    return new Promise((resolve, reject) => {
      const child = spawn('kubectl', args, { env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(o.input ?? '');
    });
  };
  const t: TestCluster = {
    get cluster() {
      return cluster;
    },
    dataDir,
    kubeconfig: cluster.kubeconfigPath,
    kubectl,
    async kubectlOk(args, o) {
      const r = await kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    },
    kubectlStream(args) {
      const child = spawn('kubectl', args, { env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      return {
        output: () => out,
        stop: () =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.on('close', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    },
    async stop() {
      await cluster.stop();
    },
    async restart() {
      cluster = await startLocalCluster(options);
    },
    async cleanup() {
      await cluster.stop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
  return t;
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws with the last error). */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export { run as execFileAsync };
