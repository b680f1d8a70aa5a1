/**
 * The node agent's Service proxy (kube-proxy): informers on Services and
 * Endpoints feed the pure plan, the {@link Proxier} keeps listeners in step,
 * and the pod network (when given) gets the new pod routes and Services.
 * Changes are coalesced (a burst of events makes one apply); a periodic
 * resync retries listeners that could not be bound.
 */
import { networkInterfaces } from 'node:os';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../core/apiserver/types.ts';
import type { ApiClient } from '../../core/client/api-client.ts';
import { startInformer } from '../../core/client/informer.ts';
import { ClusterIpAddresses, isLoopback } from './addresses.ts';
import { type CommandRunner, execRunner } from './exec.ts';
import type { NetnsPodNetwork, PodNetwork } from './pod-network.ts';
import { type BalancingMode, planProxy } from './plan.ts';
import { Proxier, type ProxierOptions } from './proxier.ts';

/** Options of {@link startProxy}. */
export interface ProxyOptions {
  client: ApiClient;
  nodeName: string;
  nodeIp: string;
  logger: Logger;
  /** The pod network to keep in step (routes and /etc/hosts); absent = no pod → ClusterIP path. */
  podNetwork?: PodNetwork & Partial<Pick<NetnsPodNetwork, 'update'>>;
  /** Host address pods reach the proxy on (default: the `docker0` IPv4 address, when there is one). */
  podGatewayIp?: string;
  /**
   * Add non-loopback ClusterIPs to the dummy interface `skube0` so they can
   * be bound. Default: only when the node IP is not loopback (a real host);
   * a local cluster's agent (node IP in 127.0.0.0/8) never changes host
   * interfaces, and a non-loopback ClusterIP there just stays unbound.
   */
  clusterIpInterface?: boolean;
  /** Default balancing mode (default round-robin; a Service's `skube.io/load-balancing` annotation wins). */
  mode?: BalancingMode;
  /** Milliseconds between resyncs that retry unbound listeners (default 5 s). */
  resyncMs?: number;
  /** Milliseconds to coalesce changes before applying (default 20). */
  coalesceMs?: number;
  /** Passed to the {@link Proxier} (tests). */
  proxier?: Partial<Pick<ProxierOptions, 'balancing' | 'udpSessionIdleMs' | 'connectTimeoutMs' | 'addresses'>>;
}

/** A running proxy. */
export interface RunningProxy {
  /** Resolves once both informers have listed and the first apply is done. */
  synced: Promise<void>;
  proxier: Proxier;
  /** Applies the current state now (tests, diagnostics). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The IPv4 address of the Docker bridge `docker0`, if the host has one.
 * Asks `ip` first: Node's interface list leaves out a bridge that is down,
 * as docker0 is while no container runs.
 */
export async function dockerBridgeIp(run: CommandRunner = execRunner): Promise<string | undefined> {
  const r = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', 'docker0']);
  const fromIp = r.code === 0 ? /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(r.stdout)?.[1] : undefined;
  return fromIp ?? networkInterfaces().docker0?.find((a) => a.family === 'IPv4')?.address;
}

/** What of the Services matters to /etc/hosts: namespace, name and ClusterIP. */
const hostsSignature = (services: Service[]) =>
  services
    .map((s) => `${s.metadata?.namespace}/${s.metadata?.name}=${s.spec?.clusterIP ?? ''}`)
    .sort()
    .join(',');

/** Starts the proxy. Does not block on the first sync (await `synced`). */
export async function startProxy(opts: ProxyOptions): Promise<RunningProxy> {
  const { logger } = opts;
  const podGatewayIp = opts.podNetwork?.update ? (opts.podGatewayIp ?? (await dockerBridgeIp())) : undefined;
  const proxier = new Proxier({
    node: { nodeIp: opts.nodeIp, ...(podGatewayIp ? { podGatewayIp } : {}) },
    logger,
    ...((opts.clusterIpInterface ?? !isLoopback(opts.nodeIp))
      ? { addresses: new ClusterIpAddresses(execRunner, logger) }
      : {}),
    ...opts.proxier,
    onPodRoutes: (routes) => void opts.podNetwork?.update?.({ routes }),
  });
  const onError = (e: unknown) => logger.warn({ err: String(e) }, 'proxy informer relisting');
  const services = startInformer<Service>(opts.client, '/api/v1/services', { onError });
  const endpoints = startInformer<Endpoints>(opts.client, '/api/v1/endpoints', { onError });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let hostsSeen = '';

  const flush = async () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = undefined;
    const svcs = services.list();
    await proxier.apply(planProxy(svcs, endpoints.list(), opts.mode));
    const sig = hostsSignature(svcs);
    if (opts.podNetwork?.update && sig !== hostsSeen) {
      hostsSeen = sig;
      await opts.podNetwork.update({ services: svcs });
    }
  };
  const schedule = () => {
    if (stopped || timer) return;
    timer = setTimeout(
      () => void flush().catch((e) => logger.error({ err: String(e) }, 'proxy sync failed')),
      opts.coalesceMs ?? 20,
    );
  };
  services.on(schedule);
  endpoints.on(schedule);
  const resync = setInterval(() => {
    if (proxier.unbound().size) schedule();
  }, opts.resyncMs ?? 5000);
  resync.unref();

  const synced = Promise.all([services.synced, endpoints.synced]).then(flush);
  logger.info({ node: opts.nodeName, nodeIp: opts.nodeIp, podGatewayIp }, 'service proxy starting');
  return {
    synced,
    proxier,
    flush,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(resync);
      services.stop();
      endpoints.stop();
      await proxier.close();
    },
  };
}
