/**
 * The socket half of the proxy: turns a list of {@link ServicePortPlan}s
 * into open listeners. Each Service port has one balancer, updated in place
 * when its backends change, so listeners that stay stay open and established
 * connections are untouched; only listeners no plan needs any more are
 * closed (with their connections). Addresses that cannot be bound yet (an
 * address held by another agent on the same host, a port in use) are
 * retried on the next {@link Proxier.apply}.
 */
import type { Logger } from '../../core/apiserver/types.ts';
import { ClusterIpAddresses, isLoopback } from './addresses.ts';
import { Balancer, type BalancerOptions } from './balancer.ts';
import {
  listenerKey,
  listenersOf,
  type ListenerSpec,
  type NodeAddresses,
  type Protocol,
  type ServicePortPlan,
} from './plan.ts';
import { listenTcp, type RunningListener } from './tcp-proxy.ts';
import { listenUdp } from './udp-proxy.ts';

/** Where pods' traffic to a ClusterIP port is sent on this node (the DNAT target). */
export interface PodRoute {
  clusterIP: string;
  port: number;
  protocol: Protocol;
  gatewayIp: string;
  gatewayPort: number;
}

/** Options of a {@link Proxier}. */
export interface ProxierOptions {
  node: NodeAddresses;
  logger: Logger;
  /** Makes non-loopback ClusterIPs bindable; absent = bind as they are. */
  addresses?: ClusterIpAddresses;
  /** Clock, random source and failure penalty for the balancers (tests). */
  balancing?: Pick<BalancerOptions, 'now' | 'random' | 'failurePenaltyMs'>;
  udpSessionIdleMs?: number;
  connectTimeoutMs?: number;
  /** Called after an apply changed the pod routes. */
  onPodRoutes?: (routes: PodRoute[]) => void;
}

interface Open {
  spec: ListenerSpec;
  listener: RunningListener;
}

/** Holds the proxy's listeners and balancers. */
export class Proxier {
  private readonly balancers = new Map<string, Balancer>();
  private readonly plans = new Map<string, ServicePortPlan>();
  private readonly open = new Map<string, Open>();
  private readonly failing = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();
  private lastRoutes = '[]';
  private closed = false;

  constructor(private readonly opts: ProxierOptions) {}

  /**
   * Makes the listeners match `plans`. Serialised: calls queue behind one
   * another. Never rejects; listeners that fail to bind are logged and
   * tried again next time (see {@link Proxier.unbound}).
   */
  apply(plans: readonly ServicePortPlan[]): Promise<void> {
    const run = this.chain.then(() => this.doApply(plans));
    this.chain = run.catch(() => {});
    return run;
  }

  /** Listeners that could not be bound in the last apply, by key, with the error. */
  unbound(): Map<string, string> {
    return new Map(this.failing);
  }

  /** The open listeners (key → bound port). */
  listening(): Map<string, number> {
    return new Map([...this.open].map(([k, o]) => [k, o.listener.port]));
  }

  /** Pod routes: each ClusterIP port with the gateway listener serving it. */
  podRoutes(): PodRoute[] {
    const out: PodRoute[] = [];
    for (const { spec, listener } of this.open.values()) {
      if (spec.kind !== 'pod') continue;
      const plan = this.plans.get(spec.planId);
      if (!plan?.clusterIP) continue;
      out.push({
        clusterIP: plan.clusterIP,
        port: plan.port,
        protocol: plan.protocol,
        gatewayIp: spec.host,
        gatewayPort: listener.port,
      });
    }
    return out.sort(
      (a, b) => a.clusterIP.localeCompare(b.clusterIP) || a.port - b.port || a.protocol.localeCompare(b.protocol),
    );
  }

  /** The balancer of a Service port (tests, diagnostics). */
  balancer(planId: string): Balancer | undefined {
    return this.balancers.get(planId);
  }

  /** Closes every listener. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.chain;
    await this.doApply([]);
  }

  private async doApply(plans: readonly ServicePortPlan[]): Promise<void> {
    const { logger } = this.opts;
    const next = new Map(plans.map((p) => [p.id, p]));
    for (const p of plans) {
      const b = this.balancers.get(p.id);
      if (b) b.update(p.backends, p.mode, p.affinitySeconds);
      else {
        const opts = { ...this.opts.balancing, mode: p.mode, affinitySeconds: p.affinitySeconds };
        this.balancers.set(p.id, new Balancer(p.backends, opts));
      }
      this.plans.set(p.id, p);
    }
    const wanted = new Map<string, ListenerSpec>();
    if (!this.closed)
      for (const p of plans) for (const l of listenersOf(p, this.opts.node)) wanted.set(listenerKey(l), l);

    for (const [key, o] of [...this.open]) {
      if (wanted.has(key)) continue;
      this.open.delete(key);
      await o.listener.close();
      if (o.spec.kind === 'cluster-ip') await this.releaseIfUnused(o.spec.host);
      logger.info({ listener: key }, 'proxy listener closed');
    }
    const failedBefore = new Map(this.failing);
    this.failing.clear();
    for (const [key, spec] of wanted) {
      if (this.open.has(key)) continue;
      try {
        if (spec.kind === 'cluster-ip' && !isLoopback(spec.host)) await this.opts.addresses?.ensure(spec.host);
        const listener = await this.listen(spec, key);
        this.open.set(key, { spec, listener });
        logger.info({ listener: key, port: listener.port }, 'proxy listener open');
      } catch (e) {
        const err = String((e as Error).message ?? e);
        this.failing.set(key, err);
        // Another agent on this host may hold a ClusterIP for good: say so once, not on every resync.
        if (failedBefore.get(key) !== err) logger.warn({ listener: key, err }, 'proxy listener not bound; will retry');
      }
    }
    for (const id of [...this.balancers.keys()]) {
      if (next.has(id)) continue;
      this.balancers.delete(id);
      this.plans.delete(id);
    }
    const routes = this.podRoutes();
    const routesJson = JSON.stringify(routes);
    if (routesJson !== this.lastRoutes) {
      this.lastRoutes = routesJson;
      this.opts.onPodRoutes?.(routes);
    }
  }

  private listen(spec: ListenerSpec, label: string): Promise<RunningListener> {
    const balancer = this.balancers.get(spec.planId) as Balancer;
    const common = { host: spec.host, port: spec.port, balancer, logger: this.opts.logger, label };
    return spec.protocol === 'UDP'
      ? listenUdp({ ...common, sessionIdleMs: this.opts.udpSessionIdleMs })
      : listenTcp({ ...common, connectTimeoutMs: this.opts.connectTimeoutMs });
  }

  private async releaseIfUnused(host: string): Promise<void> {
    if (isLoopback(host)) return;
    for (const o of this.open.values()) if (o.spec.kind === 'cluster-ip' && o.spec.host === host) return;
    await this.opts.addresses?.release(host);
  }
}
