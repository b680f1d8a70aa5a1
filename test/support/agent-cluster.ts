/**
 * A local cluster with real node agents for end-to-end tests: the API,
 * scheduler and controllers in this process (see `local-cluster.ts`), and
 * one `skube agent` child process per node, each on its own loopback node
 * IP, running pods in the Docker engine with the busybox test image as the
 * sandbox image. Agents are separate processes so `killAgent` is a real
 * SIGKILL (containers stay); `cleanup` removes every container labelled
 * with these nodes' names. Pick node names unique per test file (see
 * `uniqueNodeName`) so parallel files never touch each other's containers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { LocalClusterOptions } from '../../local/cluster.ts';
import { TEST_IMAGES } from './docker.ts';
import { eventually, startTestCluster, type TestCluster } from './local-cluster.ts';
import { killGroup } from './processes.ts';

/** One node of the test cluster. */
export interface AgentNode {
  name: string;
  ip: string;
}

/** Options of `startAgentCluster`. */
export interface AgentClusterOptions {
  nodes: AgentNode[];
  cluster?: Partial<LocalClusterOptions>;
  /** Extra `skube agent` flags for every agent. */
  agentArgs?: string[];
  /** Start the agents right away (default true). */
  start?: boolean;
}

/** A running agent child. */
export interface RunningAgent {
  node: AgentNode;
  process: ChildProcess;
  /** Everything the agent wrote to stdout/stderr (JSON log lines). */
  output(): string;
}

/** A cluster with agents. */
export interface AgentCluster {
  test: TestCluster;
  nodes: AgentNode[];
  agents: Map<string, RunningAgent>;
  /** Image for pods (pulled from the local registry). */
  image: string;
  /** Starts (or restarts) the agent of `name` and waits until it runs. */
  startAgent(name: string): Promise<RunningAgent>;
  /** SIGTERM, waits for the exit. Pods keep running. */
  stopAgent(name: string): Promise<void>;
  /** SIGKILL, waits for the exit. Containers stay. */
  killAgent(name: string): Promise<void>;
  /** Stops agents and the cluster and removes every container of these nodes. */
  cleanup(): Promise<void>;
}

/** The service range agent clusters use: inside 127.0.0.0/8, never 10.x on this machine. */
export const AGENT_SERVICE_CIDR = '127.96.0.0/16';

/** `base` with a random suffix (node names must be unique per test run). */
export function uniqueNodeName(base: string): string {
  return `${base}-${randomBytes(3).toString('hex')}`;
}

const REPO = join(import.meta.dirname, '..', '..');

/** Removes every container labelled with one of `nodeNames`. */
export async function removeNodeContainers(nodeNames: string[], docker = new Docker()): Promise<void> {
  for (const name of nodeNames) {
    const list = await docker.listContainers({ all: true, filters: { label: [`io.skube.node=${name}`] } });
    await Promise.all(
      list.map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => {}),
      ),
    );
  }
}

/** Starts the cluster and its agents. */
export async function startAgentCluster(opts: AgentClusterOptions): Promise<AgentCluster> {
  const test = await startTestCluster({ serviceCidr: AGENT_SERVICE_CIDR, ...opts.cluster });
  const rootDir = mkdtempSync(join(tmpdir(), 'skube-agents-'));
  const agents = new Map<string, RunningAgent>();
  const byName = new Map(opts.nodes.map((n) => [n.name, n]));

  const waitExit = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
    });

  const startAgent = async (name: string): Promise<RunningAgent> => {
    const node = byName.get(name);
    if (!node) throw new Error(`unknown node ${name}`);
    const old = agents.get(name);
    if (old && old.process.exitCode === null && old.process.signalCode === null) return old;
    const args = [
      join(REPO, 'bin', 'skube.mjs'),
      'agent',
      '--kubeconfig',
      test.kubeconfig,
      '--node-name',
      node.name,
      '--node-ip',
      node.ip,
      '--kubelet-port',
      '0',
      '--pause-image',
      TEST_IMAGES.local,
      '--pause-command',
      'sleep',
      '2147483647',
      '--root-dir',
      join(rootDir, node.name),
      '--log-format',
      'json',
      '--log-level',
      'info',
      ...(opts.agentArgs ?? []),
    ];
    const child = spawn(process.execPath, args, { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const agent: RunningAgent = { node, process: child, output: () => out };
    agents.set(name, agent);
    await eventually(
      () => {
        if (child.exitCode !== null) throw new Error(`agent ${name} exited ${child.exitCode}: ${out}`);
        return out.includes('node agent running');
      },
      60_000,
      100,
    ).catch((e) => {
      killGroup(child, 'SIGKILL');
      throw new Error(`agent ${name} did not start: ${(e as Error).message}\n${out}`);
    });
    return agent;
  };

  const signalAgent = async (name: string, signal: NodeJS.Signals) => {
    const a = agents.get(name);
    if (!a) return;
    killGroup(a.process, signal);
    await waitExit(a.process);
  };

  const cluster: AgentCluster = {
    test,
    nodes: opts.nodes,
    agents,
    image: TEST_IMAGES.busybox,
    startAgent,
    stopAgent: (name) => signalAgent(name, 'SIGTERM'),
    killAgent: (name) => signalAgent(name, 'SIGKILL'),
    async cleanup() {
      for (const name of agents.keys()) await signalAgent(name, 'SIGKILL');
      await removeNodeContainers(opts.nodes.map((n) => n.name)).catch(() => {});
      await test.cleanup();
      rmSync(rootDir, { recursive: true, force: true });
    },
  };
  if (opts.start !== false) {
    try {
      for (const n of opts.nodes) await startAgent(n.name);
    } catch (e) {
      await cluster.cleanup();
      throw e;
    }
  }
  return cluster;
}
