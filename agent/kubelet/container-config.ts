/**
 * Pod spec → runtime create requests: the pause container (network
 * namespace owner: hostname, /etc/hosts entries, every containerPort
 * published on the node IP) and app/init containers joining it (command,
 * args, env, working dir, binds, resources as Docker limits, labels). Pure.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { quantityMilliValue, quantityValue } from '../../core/api/quantity.ts';
import {
  LABELS,
  POD_CONTAINER_NAME,
  type ContainerResources,
  type CreateContainerRequest,
  type PortBinding,
} from './runtime.ts';

/** Docker's CFS period (100 ms) that quotas are expressed against. */
export const CPU_PERIOD_US = 100_000;
/** Kubernetes' smallest cpu shares (BestEffort pods). */
export const MIN_SHARES = 2;

/** Labels of a pod's container. */
export function containerLabels(
  pod: Pod,
  nodeName: string,
  containerName: string,
  kind: 'pause' | 'init' | 'app',
  restartCount: number,
): Record<string, string> {
  return {
    [LABELS.namespace]: pod.metadata?.namespace ?? '',
    [LABELS.podName]: pod.metadata?.name ?? '',
    [LABELS.podUid]: pod.metadata?.uid ?? '',
    [LABELS.containerName]: containerName,
    [LABELS.restartCount]: String(restartCount),
    [LABELS.node]: nodeName,
    [LABELS.kind]: kind,
  };
}

/** A Docker-legal container name for an attempt (`k8s_<container>_<pod>_<ns>_<uid>_<n>`, like dockershim's). */
export function dockerName(pod: Pod, containerName: string, restartCount: number): string {
  const m = pod.metadata!;
  return `k8s_${containerName}_${m.name}_${m.namespace}_${m.uid}_${restartCount}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** Resources of a container as Docker limits: shares from requests, quota and memory from limits. */
export function dockerResources(c: Container): ContainerResources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const reqCpu = req.cpu ?? lim.cpu;
  const out: ContainerResources = {
    cpuShares:
      reqCpu !== undefined ? Math.max(MIN_SHARES, Math.floor((quantityMilliValue(reqCpu) * 1024) / 1000)) : MIN_SHARES,
  };
  if (lim.cpu !== undefined) {
    out.cpuPeriod = CPU_PERIOD_US;
    out.cpuQuota = Math.max(1000, Math.floor((quantityMilliValue(lim.cpu) * CPU_PERIOD_US) / 1000));
  }
  if (lim.memory !== undefined) out.memoryBytes = quantityValue(lim.memory);
  return out;
}

/** Every containerPort of the pod, published on `nodeIp` (its hostPort when set, else a dynamic port). */
export function podPortBindings(pod: Pod, nodeIp: string): PortBinding[] {
  const seen = new Set<string>();
  const out: PortBinding[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP') as PortBinding['protocol'];
      const key = `${p.containerPort}/${protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        containerPort: p.containerPort,
        protocol,
        hostIp: p.hostIP || nodeIp,
        hostPort: p.hostPort || undefined,
      });
    }
  }
  return out;
}

/** Options for the pause container. */
export interface PauseOptions {
  nodeName: string;
  nodeIp: string;
  image: string;
  /** Command for images that are not a real pause image (e.g. busybox `sleep`). */
  command?: string[];
  hostEntries: { ip: string; hostname: string[] }[];
}

/** The pause container of `pod`. */
export function pauseRequest(pod: Pod, opts: PauseOptions): CreateContainerRequest {
  const hostname = (pod.spec?.hostname ?? pod.metadata?.name ?? '').slice(0, 63);
  const extraHosts: string[] = [];
  for (const e of opts.hostEntries) for (const h of e.hostname) extraHosts.push(`${h}:${e.ip}`);
  for (const a of pod.spec?.hostAliases ?? []) for (const h of a.hostnames ?? []) extraHosts.push(`${h}:${a.ip}`);
  return {
    name: dockerName(pod, POD_CONTAINER_NAME, 0),
    image: opts.image,
    labels: containerLabels(pod, opts.nodeName, POD_CONTAINER_NAME, 'pause', 0),
    entrypoint: opts.command,
    networkMode: 'bridge',
    hostname,
    extraHosts,
    ports: podPortBindings(pod, opts.nodeIp),
    ipcMode: 'shareable',
    resources: { cpuShares: MIN_SHARES },
  };
}

/** An app or init container joining the pause container `pauseId`. */
export function containerRequest(
  pod: Pod,
  c: Container,
  o: {
    nodeName: string;
    kind: 'init' | 'app';
    restartCount: number;
    pauseId: string;
    env: [string, string][];
    command?: string[];
    args?: string[];
    binds: string[];
  },
): CreateContainerRequest {
  return {
    name: dockerName(pod, c.name, o.restartCount),
    image: c.image ?? '',
    labels: containerLabels(pod, o.nodeName, c.name, o.kind, o.restartCount),
    // Kubernetes: command replaces the entrypoint (and drops the image's cmd), args replace cmd.
    entrypoint: o.command,
    cmd: o.args ?? (o.command ? [] : undefined),
    env: o.env.map(([k, v]) => `${k}=${v}`),
    workingDir: c.workingDir,
    networkMode: `container:${o.pauseId}`,
    ipcMode: `container:${o.pauseId}`,
    binds: o.binds,
    resources: dockerResources(c),
    tty: c.tty ?? false,
    stdin: c.stdin ?? false,
  };
}
