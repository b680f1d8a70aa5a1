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

/** An address of `pod`. TODO(issue 6): the node-address + published-port form goes here once the node agent publishes ports. */
function addressOf(pod: Pod): EndpointAddress {
  return {
    ip: pod.status?.podIP ?? '',
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
 * port set, addresses, ports and subsets sorted. Pods without a podIP,
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
    const resolved = ports
      .map((p) => resolvePort(p, pod))
      .filter((p): p is EndpointPort => p !== undefined)
      .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
    if (ports.length > 0 && resolved.length === 0) continue;
    const id = JSON.stringify(resolved);
    let subset = subsets.get(id);
    if (!subset) {
      subset = { ports: resolved, ready: [], notReady: [] };
      subsets.set(id, subset);
    }
    (publishNotReady || isReady(pod) ? subset.ready : subset.notReady).push(addressOf(pod));
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
