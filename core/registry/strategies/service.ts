/**
 * Services: ClusterIP and NodePort allocation on create and update, release on
 * delete, and the status subresource (load balancer ingress).
 */
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { allocateClusterIp, allocateNodePort, IP_ALLOCATIONS, PORT_ALLOCATIONS, releaseValue } from '../allocators.ts';
import type { ResourceStrategy, StrategyDeps } from '../strategy.ts';

const owner = (obj: KubeObject) => `${obj.metadata.namespace}/${obj.metadata.name}`;
const asService = (obj: KubeObject) => obj as unknown as Service;
const needsNodePorts = (svc: Service) => svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';

function clusterIps(svc: Service): string[] {
  const ip = svc.spec?.clusterIP;
  return ip && ip !== 'None' ? [ip] : [];
}

function nodePorts(svc: Service): number[] {
  return (svc.spec?.ports ?? []).map((p) => p.nodePort).filter((p): p is number => typeof p === 'number' && p > 0);
}

async function allocate(obj: KubeObject, old: KubeObject | undefined, deps: StrategyDeps): Promise<void> {
  const claimed: { ip?: string; ports: number[] } = { ports: [] };
  try {
    await claimAll(obj, old, deps, claimed);
  } catch (e) {
    // All or nothing: give back what this request took before the failure.
    if (claimed.ip) await releaseValue(deps.store, IP_ALLOCATIONS, claimed.ip);
    for (const p of claimed.ports) await releaseValue(deps.store, PORT_ALLOCATIONS, String(p));
    throw e;
  }
}

async function claimAll(
  obj: KubeObject,
  old: KubeObject | undefined,
  deps: StrategyDeps,
  claimed: { ip?: string; ports: number[] },
): Promise<void> {
  const svc = asService(obj);
  const spec = svc.spec ?? {};
  svc.spec = spec;
  const name = obj.metadata.name ?? '';
  if (spec.type === 'ExternalName') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  } else if (old && clusterIps(asService(old)).length) {
    spec.clusterIP = asService(old).spec?.clusterIP;
    spec.clusterIPs = [spec.clusterIP as string];
  } else if (spec.clusterIP !== 'None') {
    spec.clusterIP = await allocateClusterIp(
      deps.store,
      deps.serviceCidr,
      owner(obj),
      spec.clusterIP || undefined,
      deps.random,
      {
        kind: 'Service',
        name,
        fieldPath: 'spec.clusterIPs[0]',
      },
    );
    claimed.ip = spec.clusterIP;
    spec.clusterIPs = [spec.clusterIP];
  } else {
    spec.clusterIPs = ['None'];
  }
  const held = new Set(old ? nodePorts(asService(old)) : []);
  const ports: ServicePort[] = spec.ports ?? [];
  for (const [i, port] of ports.entries()) {
    if (!needsNodePorts(svc)) {
      delete port.nodePort;
      continue;
    }
    if (port.nodePort && held.has(port.nodePort)) continue;
    port.nodePort = await allocateNodePort(
      deps.store,
      deps.nodePortRange,
      owner(obj),
      port.nodePort || undefined,
      deps.random,
      {
        kind: 'Service',
        name,
        fieldPath: `spec.ports[${i}].nodePort`,
      },
    );
    claimed.ports.push(port.nodePort);
  }
}

/** The Service strategy. */
export const serviceStrategy: ResourceStrategy = {
  statusSubresource: true,
  usesGeneration: false,
  prepareForCreate(obj) {
    obj.status = { loadBalancer: {} };
  },
  beforeCreate: (obj, deps) => allocate(obj, undefined, deps),
  beforeUpdate: (obj, old, deps) => allocate(obj, old, deps),
  async release(obj, deps, keep) {
    const keepIps = new Set(keep ? clusterIps(asService(keep)) : []);
    const keepPorts = new Set(keep ? nodePorts(asService(keep)) : []);
    for (const ip of clusterIps(asService(obj)))
      if (!keepIps.has(ip)) await releaseValue(deps.store, IP_ALLOCATIONS, ip);
    for (const p of nodePorts(asService(obj)))
      if (!keepPorts.has(p)) await releaseValue(deps.store, PORT_ALLOCATIONS, String(p));
  },
};
