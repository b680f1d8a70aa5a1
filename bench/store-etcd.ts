/**
 * A one-member etcd for the storage benchmark: Debian's `etcd-server`
 * (`apt-get install etcd-server`) on 127.0.0.1 with free client and peer
 * ports and a temporary data directory on the same disk as the SQLite files,
 * with etcd's default durability (an fsync per commit batch).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';

/** A running etcd and how to stop it. */
export interface EtcdServer {
  endpoint: string;
  version: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** The `etcd` binary's version, or undefined when it is not installed. */
export function etcdVersion(): string | undefined {
  const out = spawnSync('etcd', ['--version'], { encoding: 'utf8' });
  if (out.status !== 0) return undefined;
  return /etcd Version: (\S+)/.exec(out.stdout)?.[1] ?? 'unknown';
}

/** Starts etcd and waits until it serves. Throws when `etcd` is missing, exits or does not answer in time. */
export async function startEtcd(): Promise<EtcdServer> {
  const version = etcdVersion();
  if (!version) throw new Error('no `etcd` on PATH (Debian: apt-get install etcd-server)');
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'skube-bench-etcd-'));
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child: ChildProcess = spawn(
    'etcd',
    [
      '--name=bench',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=bench=${peer}`,
      '--initial-cluster-state=new',
      '--logger=zap',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-4096)));
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(client, child, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return { endpoint: client, version, stop };
}

async function waitUntilServing(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = new Etcd3({ hosts: endpoint, dialTimeout: 1_000 });
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`etcd exited with code ${child.exitCode}: ${output().trim()}`);
      try {
        await client.maintenance.status();
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`etcd did not answer on ${endpoint}: ${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.close();
  }
}

/** A TCP port that was free a moment ago on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
