/**
 * What a pod asks of a node, computed the way Kubernetes' `resourcehelper.PodRequests`
 * does: app containers (and restartable sidecar init containers) add up, each
 * classic init container runs alone on top of the sidecars started before it,
 * the pod needs the larger of the two, plus `spec.overhead`.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { quantityMilliValue, quantityValue } from '../api/quantity.ts';
import type { HostPort, Resources } from './framework.ts';

/** CPU a container without a CPU request counts as when scoring (`DefaultMilliCPURequest`). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** Memory a container without a memory request counts as when scoring (`DefaultMemoryRequest`, 200Mi). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** An empty resource total. */
export function emptyResources(): Resources {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 0, scalar: new Map() };
}

type ResourceMap = Map<string, number>;

// A malformed quantity got past validation somehow; count it as nothing rather
// than fail the whole scheduling loop on one pod.
function amount(name: string, q: string | number | undefined): number {
  if (q === undefined) return 0;
  try {
    return name === 'cpu' ? quantityMilliValue(q) : quantityValue(q);
  } catch {
    return 0;
  }
}

/**
 * A container's requests; a resource with a limit but no request requests its
 * limit, as API defaulting (`SetDefaults_Pod`) makes it.
 */
function containerRequests(c: Container, nonZero: boolean): ResourceMap {
  const out: ResourceMap = new Map();
  const requests = c.resources?.requests ?? {};
  const limits = c.resources?.limits ?? {};
  for (const [name, q] of Object.entries(limits)) out.set(name, amount(name, q));
  for (const [name, q] of Object.entries(requests)) out.set(name, amount(name, q));
  if (nonZero) {
    if (!out.has('cpu')) out.set('cpu', DEFAULT_MILLI_CPU_REQUEST);
    if (!out.has('memory')) out.set('memory', DEFAULT_MEMORY_REQUEST);
  }
  return out;
}

function add(into: ResourceMap, from: ResourceMap): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function maxInto(into: ResourceMap, from: ResourceMap): void {
  for (const [k, v] of from) if (v > (into.get(k) ?? 0)) into.set(k, v);
}

/** Effective requests by resource name (CPU in millicores), optionally with non-zero defaults. */
export function podRequestMap(pod: Pod, nonZero = false): ResourceMap {
  const reqs: ResourceMap = new Map();
  for (const c of pod.spec?.containers ?? []) add(reqs, containerRequests(c, nonZero));
  const sidecars: ResourceMap = new Map();
  const initMax: ResourceMap = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const own = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      // A sidecar keeps running alongside the app containers and later init containers.
      add(reqs, own);
      add(sidecars, own);
      maxInto(initMax, sidecars);
    } else {
      const peak = new Map(own);
      add(peak, sidecars);
      maxInto(initMax, peak);
    }
  }
  maxInto(reqs, initMax);
  const overhead = pod.spec?.overhead;
  if (overhead)
    for (const [name, q] of Object.entries(overhead)) reqs.set(name, (reqs.get(name) ?? 0) + amount(name, q));
  return reqs;
}

/** A pod's effective requests as scheduler {@link Resources}; `pods` is always 1. */
export function podRequests(pod: Pod): Resources {
  const r = emptyResources();
  r.pods = 1;
  for (const [name, v] of podRequestMap(pod)) {
    if (name === 'cpu') r.milliCPU = v;
    else if (name === 'memory') r.memory = v;
    else if (name === 'ephemeral-storage') r.ephemeralStorage = v;
    else if (name !== 'pods' && isScalarResourceName(name) && v !== 0) r.scalar.set(name, v);
  }
  return r;
}

/** A pod's CPU and memory requests with the scoring defaults for containers that set none. */
export function podNonZeroRequests(pod: Pod): { milliCPU: number; memory: number } {
  const m = podRequestMap(pod, true);
  return { milliCPU: m.get('cpu') ?? 0, memory: m.get('memory') ?? 0 };
}

/**
 * Whether a resource is tracked by name beyond cpu/memory/ephemeral-storage:
 * domain-prefixed resources (extended ones like `nvidia.com/gpu` and prefixed
 * native ones), `hugepages-*` and `attachable-volumes-*`.
 */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  return name.includes('/') && !name.startsWith('requests.');
}

/**
 * The host ports a pod binds, from app containers and sidecar init containers
 * (both run for the pod's lifetime), sanitized for conflict checks.
 */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const containers = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ hostIP: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}
