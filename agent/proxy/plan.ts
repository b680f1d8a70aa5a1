/**
 * The pure half of the proxy: from Services and Endpoints, what each
 * Service port needs — where to listen (ClusterIP:port, node IP:NodePort)
 * and which ready backends to forward to, with the balancing mode and
 * session affinity to use.
 */
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { hasClusterIP } from './service-env.ts';

/** Protocols the userspace proxy forwards (SCTP is not). */
export type Protocol = 'TCP' | 'UDP';

/** How a backend is chosen for a new connection or UDP session. */
export type BalancingMode = 'round-robin' | 'random';

/** Annotation on a Service choosing its balancing mode (`round-robin` or `random`) over the proxy's default. */
export const BALANCING_ANNOTATION = 'skube.io/load-balancing';

/** Kubernetes' default `sessionAffinityConfig.clientIP.timeoutSeconds` (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

/** A ready endpoint: where traffic for a Service port goes. */
export interface Backend {
  ip: string;
  port: number;
}

/** What the proxy does for one port of one Service. */
export interface ServicePortPlan {
  /** `namespace/name:portName/protocol`, stable while the Service port exists. */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  /** The ClusterIP to listen on with `port`; absent for headless Services. */
  clusterIP?: string;
  port: number;
  /** The NodePort to listen on (node IP) when the Service has one. */
  nodePort?: number;
  /** Ready backends, sorted by IP then port, without duplicates. */
  backends: Backend[];
  mode: BalancingMode;
  /** Seconds a client IP sticks to its backend (`sessionAffinity: ClientIP`), absent otherwise. */
  affinitySeconds?: number;
}

/** A socket the proxy listens on, for one Service port. */
export interface ListenerSpec {
  /** The {@link ServicePortPlan.id} it serves. */
  planId: string;
  kind: 'cluster-ip' | 'node-port' | 'pod';
  host: string;
  /** 0 = any free port (the per-Service-port listener pods reach through DNAT). */
  port: number;
  protocol: Protocol;
}

const byBackend = (a: Backend, b: Backend) => a.ip.localeCompare(b.ip) || a.port - b.port;

/** The ready backends `endpoints` list for the Service port named `portName` with `protocol`. */
export function backendsOf(endpoints: Endpoints | undefined, portName: string, protocol: Protocol): Backend[] {
  const seen = new Set<string>();
  const out: Backend[] = [];
  for (const subset of endpoints?.subsets ?? []) {
    const port = (subset.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!port) continue;
    for (const a of subset.addresses ?? []) {
      const key = `${a.ip}:${port.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ip: a.ip, port: port.port });
    }
  }
  return out.sort(byBackend);
}

/** The balancing mode of `service`: its annotation when valid, else `fallback`. */
function modeOf(service: Service, fallback: BalancingMode): BalancingMode {
  const v = service.metadata?.annotations?.[BALANCING_ANNOTATION];
  return v === 'random' || v === 'round-robin' ? v : fallback;
}

/**
 * One plan per TCP or UDP port of every Service that has a ClusterIP or a
 * NodePort (ExternalName Services and SCTP ports are skipped), sorted by id.
 * Backends come from the Endpoints of the same namespace/name: ready
 * addresses only, matched by port name and protocol. Pure.
 */
export function planProxy(
  services: readonly Service[],
  endpoints: readonly Endpoints[],
  defaultMode: BalancingMode = 'round-robin',
): ServicePortPlan[] {
  const byKey = new Map(endpoints.map((e) => [`${e.metadata?.namespace}/${e.metadata?.name}`, e]));
  const plans: ServicePortPlan[] = [];
  for (const s of services) {
    if (s.spec?.type === 'ExternalName') continue;
    const namespace = s.metadata?.namespace ?? '';
    const name = s.metadata?.name ?? '';
    const ep = byKey.get(`${namespace}/${name}`);
    const clusterIP = hasClusterIP(s) ? (s.spec?.clusterIP as string) : undefined;
    const affinity = s.spec?.sessionAffinity === 'ClientIP';
    for (const p of s.spec?.ports ?? []) {
      const protocol = p.protocol ?? 'TCP';
      if (protocol !== 'TCP' && protocol !== 'UDP') continue;
      if (!clusterIP && !p.nodePort) continue;
      const portName = p.name ?? '';
      plans.push({
        id: `${namespace}/${name}:${portName}/${protocol}`,
        namespace,
        name,
        portName,
        protocol,
        ...(clusterIP ? { clusterIP } : {}),
        port: p.port,
        ...(p.nodePort ? { nodePort: p.nodePort } : {}),
        backends: backendsOf(ep, portName, protocol),
        mode: modeOf(s, defaultMode),
        ...(affinity
          ? {
              affinitySeconds:
                s.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS,
            }
          : {}),
      });
    }
  }
  return plans.sort((a, b) => a.id.localeCompare(b.id));
}

/** Where the proxy of a node listens. */
export interface NodeAddresses {
  /** The node IP NodePorts are served on. */
  nodeIp: string;
  /** The host address pods reach (the Docker bridge gateway), when pods get ClusterIP routing. */
  podGatewayIp?: string;
}

/**
 * The listeners a plan needs on a node: ClusterIP:port, node IP:NodePort,
 * and gateway:any-port for pods (whose ClusterIP traffic is DNATed there).
 * Pure.
 */
export function listenersOf(plan: ServicePortPlan, node: NodeAddresses): ListenerSpec[] {
  const base = { planId: plan.id, protocol: plan.protocol };
  const out: ListenerSpec[] = [];
  if (plan.clusterIP) out.push({ ...base, kind: 'cluster-ip', host: plan.clusterIP, port: plan.port });
  if (plan.nodePort) out.push({ ...base, kind: 'node-port', host: node.nodeIp, port: plan.nodePort });
  if (plan.clusterIP && node.podGatewayIp) out.push({ ...base, kind: 'pod', host: node.podGatewayIp, port: 0 });
  return out;
}

/** The identity of a listener: two specs with the same key are the same socket. */
export function listenerKey(l: ListenerSpec): string {
  return `${l.planId}|${l.kind}|${l.host}|${l.port}`;
}
