/**
 * Tables of services and endpoints: cluster and external IPs, port lists
 * (`80/TCP`, `80:30080/TCP`) and endpoint addresses (`10.0.0.1:80,… + 2 more...`).
 */
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { timestampSince } from './duration.ts';
import { ageColumn, column, fieldDoc, formatLabels, nameColumn } from './format.ts';
import type { RowPrinter } from './types.ts';

/** How many endpoint addresses are listed before `+ N more...`. */
const MAX_ENDPOINTS = 3;

/** The External-IP cell for the service's type (`<none>`, `<pending>`, the ingress IPs, the external name). */
export function serviceExternalIP(svc: Service): string {
  const spec = svc.spec ?? {};
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      // The server always prints wide, so the load-balancer list is never clipped.
      const ingress = [
        ...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean)),
      ].sort();
      if (externalIPs.length) return [...ingress, ...externalIPs].join(',');
      return ingress.length ? ingress.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** The Port(s) cell: `port/protocol`, or `port:nodePort/protocol` when a node port is allocated. */
export function servicePorts(svc: Service): string {
  const ports = svc.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports
    .map((p) => {
      const protocol = p.protocol ?? 'TCP';
      return p.nodePort && p.nodePort > 0 ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
    })
    .join(',');
}

const SERVICE_SPEC = 'io.k8s.api.core.v1.ServiceSpec';

/** The services printer. */
export const servicePrinter: RowPrinter = {
  columns: [
    nameColumn(),
    column('Type', 'string', fieldDoc(SERVICE_SPEC, 'type')),
    column('Cluster-IP', 'string', fieldDoc(SERVICE_SPEC, 'clusterIP')),
    column('External-IP', 'string', fieldDoc(SERVICE_SPEC, 'externalIPs')),
    column('Port(s)', 'string', fieldDoc(SERVICE_SPEC, 'ports')),
    ageColumn(),
    column('Selector', 'string', fieldDoc(SERVICE_SPEC, 'selector'), 1),
  ],
  cells(obj: KubeObject, now: Date): unknown[] {
    const svc = obj as unknown as Service;
    const spec = svc.spec ?? {};
    return [
      svc.metadata?.name ?? '',
      spec.type ?? 'ClusterIP',
      spec.clusterIPs?.[0] || spec.clusterIP || '<none>',
      serviceExternalIP(svc),
      servicePorts(svc),
      timestampSince(svc.metadata?.creationTimestamp, now),
      formatLabels(spec.selector),
    ];
  },
};

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** The Endpoints cell: up to three `ip:port` entries (bare IPs for port-less subsets), then `+ N more...`. */
export function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (!subsets.length) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const subset of subsets) {
    const addresses = subset.addresses ?? [];
    const ports = subset.ports ?? [];
    // Headless services may publish addresses without ports.
    const entries = ports.length
      ? ports.flatMap((p) => addresses.map((a) => hostPort(a.ip, p.port)))
      : addresses.map((a) => a.ip);
    count += entries.length;
    for (const entry of entries) if (list.length < MAX_ENDPOINTS) list.push(entry);
  }
  const text = list.join(',');
  return count > MAX_ENDPOINTS ? `${text} + ${count - MAX_ENDPOINTS} more...` : text;
}

/** The endpoints printer. */
export const endpointsPrinter: RowPrinter = {
  columns: [
    nameColumn(),
    column('Endpoints', 'string', fieldDoc('io.k8s.api.core.v1.Endpoints', 'subsets')),
    ageColumn(),
  ],
  cells(obj: KubeObject, now: Date): unknown[] {
    const ep = obj as unknown as Endpoints;
    return [ep.metadata?.name ?? '', formatEndpoints(ep), timestampSince(ep.metadata?.creationTimestamp, now)];
  },
};
