/**
 * Pod → Service networking for pods the kubelet runs in Docker (the
 * PodNetwork hook of the agent contracts). When a pod's pause container
 * starts, its network namespace (`nsenter --net=/proc/<pid>/ns/net`) gets
 * `route_localnet=1`, DNAT rules from each ClusterIP port to this node's
 * proxy listener on the Docker bridge gateway, and MASQUERADE (see
 * pod-rules.ts); whenever Services change, every attached pod's rules and
 * its /etc/hosts Service lines are rewritten. Nothing is left on the host:
 * the rules live and die with the pod's namespace.
 */
import { readFile, writeFile } from 'node:fs/promises';
import Docker from 'dockerode';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../core/apiserver/types.ts';
import { type CommandRunner, execRunner } from './exec.ts';
import { podNatJumps, podNatRestore } from './pod-rules.ts';
import type { PodRoute } from './proxier.ts';
import { rewriteHostsFile, serviceHostEntries } from './service-env.ts';

/** The hook the kubelet calls around a pod's pause container (agent contracts). */
export interface PodNetwork {
  /** Sets up the pod's namespace; the pause container with `pausePid` runs. Idempotent (an adopted pod may be started again). */
  podStarted(podKey: string, pausePid: number): Promise<void>;
  /** Forgets the pod (its namespace goes away with the pause container). */
  podStopped(podKey: string): void;
}

/** Options of {@link NetnsPodNetwork}. */
export interface NetnsPodNetworkOptions {
  logger: Logger;
  run?: CommandRunner;
  clusterDomain?: string;
  /** Where a pid's /etc/hosts is read and written (default `/proc/<pid>/root/etc/hosts`). */
  hostsPath?: (pid: number) => string;
}

/** {@link PodNetwork} over nsenter + iptables-restore in each pod's network namespace. */
export class NetnsPodNetwork implements PodNetwork {
  private readonly pods = new Map<string, number>();
  private routes: PodRoute[] = [];
  /** False until the proxy has told its routes: until then a pod's existing rules are left as they are. */
  private routesKnown = false;
  private services: Service[] | undefined;
  private readonly run: CommandRunner;
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly opts: NetnsPodNetworkOptions) {
    this.run = opts.run ?? execRunner;
  }

  /** The pods set up now, by key, with their pause pid. */
  attached(): Map<string, number> {
    return new Map(this.pods);
  }

  async podStarted(podKey: string, pausePid: number): Promise<void> {
    this.pods.set(podKey, pausePid);
    await this.enqueue(podKey, async () => {
      const ns = ['--net=/proc/' + pausePid + '/ns/net'];
      const sysctl = await this.run('nsenter', [...ns, 'sysctl', '-w', 'net.ipv4.conf.all.route_localnet=1']);
      if (sysctl.code !== 0) throw new Error(`route_localnet in pod ${podKey}: ${sysctl.stderr.trim()}`);
      if (this.routesKnown) await this.applyRules(podKey, pausePid);
      for (const j of podNatJumps) {
        const check = await this.run('nsenter', [...ns, 'iptables', '-t', 'nat', '-C', j.chain, ...j.rule]);
        if (check.code === 0) continue;
        const add = await this.run('nsenter', [...ns, 'iptables', '-t', 'nat', '-A', j.chain, ...j.rule]);
        if (add.code !== 0) throw new Error(`iptables jump in pod ${podKey}: ${add.stderr.trim()}`);
      }
      await this.applyHosts(podKey, pausePid);
    });
  }

  podStopped(podKey: string): void {
    this.pods.delete(podKey);
  }

  /**
   * New routes and/or Services: rewrites the rules (and /etc/hosts Service
   * lines, when `services` is given) of every attached pod. Failures are
   * logged per pod; a pod whose namespace is gone is forgotten.
   */
  async update(change: { routes?: PodRoute[]; services?: Service[] }): Promise<void> {
    if (change.routes) {
      this.routes = change.routes;
      this.routesKnown = true;
    }
    if (change.services) this.services = change.services;
    await Promise.all(
      [...this.pods].map(([key, pid]) =>
        this.enqueue(key, async () => {
          if (change.routes) await this.applyRules(key, pid);
          if (change.services) await this.applyHosts(key, pid);
        }).catch((e) => {
          this.opts.logger.warn({ pod: key, err: String(e) }, 'pod network update failed');
          if (/No such file|does not exist|ENOENT/.test(String(e))) this.pods.delete(key);
        }),
      ),
    );
  }

  /**
   * Attaches the running pods of `nodeName` found in Docker (pause
   * containers by the kubelet's labels) — what a restarted agent needs, as
   * the kubelet re-adopts them without starting their sandboxes again.
   * Their rules are rewritten once the proxy knows its routes. Failures are
   * logged, not thrown.
   */
  async adoptRunning(docker: Docker, nodeName: string): Promise<void> {
    const list = await docker.listContainers({
      filters: { label: [`io.skube.node=${nodeName}`, 'io.kubernetes.container.name=POD'], status: ['running'] },
    });
    for (const c of list) {
      const key = `${c.Labels['io.kubernetes.pod.namespace']}/${c.Labels['io.kubernetes.pod.name']}`;
      if (this.pods.has(key)) continue;
      try {
        const pid = (await docker.getContainer(c.Id).inspect()).State.Pid;
        if (pid) await this.podStarted(key, pid);
      } catch (e) {
        this.opts.logger.warn({ pod: key, err: String(e) }, 'could not adopt pod network');
      }
    }
  }

  private async applyRules(podKey: string, pid: number): Promise<void> {
    const r = await this.run(
      'nsenter',
      [`--net=/proc/${pid}/ns/net`, 'iptables-restore', '--noflush'],
      podNatRestore(this.routes),
    );
    if (r.code !== 0) throw new Error(`iptables-restore in pod ${podKey}: ${r.stderr.trim()}`);
  }

  private async applyHosts(podKey: string, pid: number): Promise<void> {
    if (!this.services) return;
    const namespace = podKey.split('/')[0] ?? '';
    const path = this.opts.hostsPath?.(pid) ?? `/proc/${pid}/root/etc/hosts`;
    const before = await readFile(path, 'utf8');
    const after = rewriteHostsFile(
      before,
      serviceHostEntries(this.services, namespace, this.opts.clusterDomain),
      this.opts.clusterDomain,
    );
    // In place (no rename): the file is a bind mount shared by the pod's containers.
    if (after !== before) await writeFile(path, after);
  }

  private enqueue(key: string, work: () => Promise<void>): Promise<void> {
    const run = (this.queues.get(key) ?? Promise.resolve()).then(work);
    const settled = run.catch(() => {});
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }
}

/**
 * The agent's factory (called by agent/main.ts): a {@link NetnsPodNetwork}
 * for this node, which also attaches the node's pods already running in
 * Docker (in the background) so a restarted agent keeps routing them.
 */
export function createPodNetwork(opts: {
  nodeName: string;
  nodeIp: string;
  logger: Logger;
  docker?: Docker;
}): NetnsPodNetwork {
  const net = new NetnsPodNetwork({ logger: opts.logger });
  void net
    .adoptRunning(opts.docker ?? new Docker(), opts.nodeName)
    .catch((e) => opts.logger.warn({ err: String(e) }, 'could not list running pods for the pod network'));
  return net;
}
