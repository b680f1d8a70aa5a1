/**
 * How pods find Services without DNS: the environment variables the kubelet
 * injects into every container (Kubernetes' `{SVC}_SERVICE_HOST` family and
 * the Docker-link style `{SVC}_PORT_{PORT}_{PROTO}` family) and /etc/hosts
 * entries for the Services' DNS names. Pure.
 */
import type { Service } from 'kubernetes-types/core/v1.js';

/** Services from the default namespace whose variables every pod gets, even with `enableServiceLinks: false`. */
const MASTER_SERVICES = new Set(['kubernetes']);

/** Whether the Service has a ClusterIP that traffic can be sent to (not headless, not ExternalName). */
export function hasClusterIP(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

/** Kubernetes' environment variable name form of a Service or port name: upper case, `-` as `_`. */
export function envName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** The variables of one Service, in Kubernetes' order. The Service must have a ClusterIP and at least one port. */
function serviceVariables(service: Service): [string, string][] {
  const prefix = envName(service.metadata?.name ?? '');
  const ip = service.spec?.clusterIP as string;
  const ports = service.spec?.ports ?? [];
  const out: [string, string][] = [
    [`${prefix}_SERVICE_HOST`, ip],
    [`${prefix}_SERVICE_PORT`, String(ports[0]?.port)],
  ];
  for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  ports.forEach((p, i) => {
    const protocol = p.protocol ?? 'TCP';
    const url = `${protocol.toLowerCase()}://${hostPort(ip, p.port)}`;
    // Docker links special-case the first port.
    if (i === 0) out.push([`${prefix}_PORT`, url]);
    const portPrefix = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
    out.push(
      [portPrefix, url],
      [`${portPrefix}_PROTO`, protocol.toLowerCase()],
      [`${portPrefix}_PORT`, String(p.port)],
      [`${portPrefix}_ADDR`, ip],
    );
  });
  return out;
}

/**
 * The service environment variables of a pod in `namespace`, as the kubelet
 * computes them: for the `kubernetes` Service of `default` always, and for
 * every Service of the pod's own namespace unless `enableServiceLinks` is
 * false (a same-named Service of the pod's namespace wins over the default
 * one). Services without a ClusterIP or without ports are skipped. Pure.
 */
export function serviceEnvironment(
  services: readonly Service[],
  namespace: string,
  enableServiceLinks = true,
): Record<string, string> {
  const chosen = new Map<string, Service>();
  for (const s of services) {
    if (!hasClusterIP(s) || !(s.spec?.ports ?? []).length) continue;
    const name = s.metadata?.name ?? '';
    const ns = s.metadata?.namespace ?? '';
    if (ns === namespace && enableServiceLinks) chosen.set(name, s);
    else if (ns === 'default' && MASTER_SERVICES.has(name) && !chosen.has(name)) chosen.set(name, s);
  }
  const env: Record<string, string> = {};
  for (const name of [...chosen.keys()].sort()) {
    for (const [k, v] of serviceVariables(chosen.get(name) as Service)) env[k] = v;
  }
  return env;
}

/** One /etc/hosts line: an IP and its names. */
export interface HostEntry {
  hostname: string[];
  ip: string;
}

/**
 * /etc/hosts entries that resolve Services by name from a pod in
 * `namespace`: `name`, `name.namespace`, `name.namespace.svc` and
 * `name.namespace.svc.<clusterDomain>` for the pod's own namespace, the
 * qualified forms only for other namespaces (what DNS search paths would
 * give). Services without a ClusterIP are skipped. Sorted by namespace, name. Pure.
 */
export function serviceHostEntries(
  services: readonly Service[],
  namespace: string,
  clusterDomain = 'cluster.local',
): HostEntry[] {
  return services
    .filter(hasClusterIP)
    .map((s) => ({ name: s.metadata?.name ?? '', ns: s.metadata?.namespace ?? '', ip: s.spec?.clusterIP as string }))
    .sort((a, b) => a.ns.localeCompare(b.ns) || a.name.localeCompare(b.name))
    .map(({ name, ns, ip }) => ({
      ip,
      hostname: [
        ...(ns === namespace ? [name] : []),
        `${name}.${ns}`,
        `${name}.${ns}.svc`,
        `${name}.${ns}.svc.${clusterDomain}`,
      ],
    }));
}

/** Marks the hosts-file lines the proxy writes, so a rewrite replaces exactly them. */
export const HOSTS_MARKER = '# skube-service';

/**
 * `hostsFile` with its Service lines replaced by `entries`: lines carrying
 * {@link HOSTS_MARKER} or naming a `*.svc.<clusterDomain>` host (the entries
 * the kubelet passed at creation) are dropped, every other line is kept, and
 * the new entries are appended, each tagged with the marker. Pure.
 */
export function rewriteHostsFile(
  hostsFile: string,
  entries: readonly HostEntry[],
  clusterDomain = 'cluster.local',
): string {
  const suffix = `.svc.${clusterDomain}`;
  const kept = hostsFile
    .split('\n')
    .filter((line) => !line.includes(HOSTS_MARKER))
    .filter((line) => !line.split(/\s+/).some((word) => word.endsWith(suffix)));
  while (kept.length && kept[kept.length - 1] === '') kept.pop();
  const added = entries.map((e) => `${e.ip}\t${e.hostname.join(' ')}\t${HOSTS_MARKER}`);
  return [...kept, ...added].join('\n') + '\n';
}
