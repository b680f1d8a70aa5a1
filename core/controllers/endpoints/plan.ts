/**
 * The pure half of the Endpoints controller: the Endpoints a Service with a
 * selector should have, given the pods of its namespace.
 */
import type {
  EndpointAddress,
  EndpointPort,
  EndpointSubset,
  Pod,
  Service,
  ServicePort,
} from 'kubernetes-types/core/v1.js';
import { labelSelectorFromSet } from '../../api/selectors/labels.ts';

/** The part of an Endpoints object the controller owns. */
export interface DesiredEndpoints {
  labels: Record<string, string>;
  subsets: EndpointSubset[];
}

/** Whether the pod's Ready condition is True. */
function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * The endpoint port of `port` on `pod`: a numeric `targetPort` as is, a named
 * one resolved against the pod's container ports (undefined when the pod has
 * no port of that name), an absent one the service port.
 */
export function resolvePort(port: ServicePort, pod: Pod): EndpointPort | undefined {
  const target = port.targetPort ?? port.port;
  const protocol = port.protocol ?? 'TCP';
  let number: number | undefined;
  if (typeof target === 'number') number = target;
  else if (/^\d+$/.test(target)) number = Number(target);
  else {
    for (const c of pod.spec?.containers ?? []) {
      const found = (c.ports ?? []).find((p) => p.name === target && (p.protocol ?? 'TCP') === protocol);
      if (found) {
        number = found.containerPort;
        break;
      }
    }
  }
  if (number === undefined) return undefined;
  return { ...(port.name ? { name: port.name } : {}), port: number, protocol };
}

/** The pod annotation in which the kubelet records Docker's published host ports: `{"<containerPort>/<protocol>": <hostPort>}`. */
export const PUBLISHED_PORTS_ANNOTATION = 'skube.io/published-ports';

/**
 * The host ports the kubelet published for `pod`, keyed `<containerPort>/<protocol>`;
 * empty when the annotation is absent or not a JSON object of port numbers
 * (a malformed entry is ignored, not fatal).
 */
export function publishedPorts(pod: Pod): Map<string, number> {
  const out = new Map<string, number>();
  const raw = pod.metadata?.annotations?.[PUBLISHED_PORTS_ANNOTATION];
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return out;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return out;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536) out.set(key, value as number);
  }
  return out;
}

/**
 * Where `pod` is reached for the resolved `ports`: the node address
 * (`status.hostIP`) with each port replaced by its published host port when
 * the pod has a hostIP and every port (at least one) is published (a pod run
 * by an agent), else the pod IP with the target ports as they are (simulated nodes).
 * Undefined when neither form has an IP.
 */
export function reachOf(pod: Pod, ports: EndpointPort[]): { ip: string; ports: EndpointPort[] } | undefined {
  const published = publishedPorts(pod);
  const hostIP = pod.status?.hostIP;
  if (hostIP && ports.length > 0 && ports.every((p) => published.has(`${p.port}/${p.protocol ?? 'TCP'}`))) {
    return {
      ip: hostIP,
      ports: ports.map((p) => ({ ...p, port: published.get(`${p.port}/${p.protocol ?? 'TCP'}`) as number })),
    };
  }
  const podIP = pod.status?.podIP;
  return podIP ? { ip: podIP, ports } : undefined;
}

/** An address `ip` of `pod`. */
function addressOf(pod: Pod, ip: string): EndpointAddress {
  return {
    ip,
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata?.namespace,
      name: pod.metadata?.name,
      uid: pod.metadata?.uid,
    },
  };
}

const byAddress = (a: EndpointAddress, b: EndpointAddress) =>
  a.ip.localeCompare(b.ip) || (a.targetRef?.name ?? '').localeCompare(b.targetRef?.name ?? '');

/**
 * The Endpoints `service` should have, or undefined when the controller
 * leaves them alone (a Service without a selector). Pure and deterministic:
 * ready pods under `addresses`, unready under `notReadyAddresses` (all under
 * `addresses` with `publishNotReadyAddresses`), one subset per distinct
 * port set, addresses, ports and subsets sorted. An address is the node
 * IP + published host port of an agent-run pod, else the pod IP + target
 * port (see {@link reachOf}). Pods without a podIP,
 * terminating or finished pods are skipped, and so are pods on which no
 * port of a Service with ports resolves.
 */
export function planEndpoints(service: Service, pods: readonly Pod[]): DesiredEndpoints | undefined {
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  const matcher = labelSelectorFromSet(selector);
  const ports = service.spec?.ports ?? [];
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const subsets = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    if ((pod.metadata?.namespace ?? '') !== (service.metadata?.namespace ?? '')) continue;
    if (!matcher.matches(pod.metadata?.labels) || !pod.status?.podIP || pod.metadata?.deletionTimestamp) continue;
    if (pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed') continue;
    const resolved = ports.map((p) => resolvePort(p, pod)).filter((p): p is EndpointPort => p !== undefined);
    if (ports.length > 0 && resolved.length === 0) continue;
    const reach = reachOf(pod, resolved);
    if (!reach) continue;
    reach.ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    const id = JSON.stringify(reach.ports);
    let subset = subsets.get(id);
    if (!subset) {
      subset = { ports: reach.ports, ready: [], notReady: [] };
      subsets.set(id, subset);
    }
    (publishNotReady || isReady(pod) ? subset.ready : subset.notReady).push(addressOf(pod, reach.ip));
  }
  const out: EndpointSubset[] = [...subsets.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, s]) => ({
      ...(s.ready.length ? { addresses: s.ready.sort(byAddress) } : {}),
      ...(s.notReady.length ? { notReadyAddresses: s.notReady.sort(byAddress) } : {}),
      ...(s.ports.length ? { ports: s.ports } : {}),
    }));
  const labels: Record<string, string> = { ...(service.metadata?.labels ?? {}) };
  if (service.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  return { labels, subsets: out };
}
