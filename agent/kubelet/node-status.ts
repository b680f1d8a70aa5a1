/**
 * The Node object and its status as the kubelet reports them: capacity and
 * allocatable from host facts, addresses, well-known labels, the Ready and
 * pressure conditions with Kubernetes' reasons and messages (heartbeat
 * time moves on every report; transition time only when the status flips),
 * nodeInfo and the kubelet endpoint. Pure over `HostFacts`.
 */
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../core/api/time.ts';

/** Kubernetes' default pod capacity of a node. */
export const MAX_PODS = 110;
/** Eviction thresholds the pressure conditions use (kubelet defaults). */
export const MEMORY_AVAILABLE_MIN_BYTES = 100 * 1024 * 1024;
export const DISK_AVAILABLE_MIN_FRACTION = 0.1;
export const PID_USED_MAX_FRACTION = 0.9;

/** What the kubelet measured on its host. */
export interface HostFacts {
  hostname: string;
  cpus: number;
  memoryBytes: number;
  memoryAvailableBytes: number;
  diskBytes: number;
  diskAvailableBytes: number;
  pidsUsed: number;
  pidMax: number;
  os: string;
  arch: string;
  kernelVersion: string;
  osImage: string;
  machineID: string;
  bootID: string;
  containerRuntimeVersion: string;
}

/** Node identity and configuration. */
export interface NodeConfig {
  nodeName: string;
  nodeIp: string;
  zone?: string;
  kubeletPort: number;
  kubeletVersion: string;
  labels?: Record<string, string>;
}

const KI = 1024;

/** The labels the kubelet sets on its Node. */
export function nodeLabels(cfg: NodeConfig, facts: HostFacts): Record<string, string> {
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': cfg.nodeName,
    'kubernetes.io/os': facts.os,
    'kubernetes.io/arch': facts.arch,
    'beta.kubernetes.io/os': facts.os,
    'beta.kubernetes.io/arch': facts.arch,
    ...cfg.labels,
  };
  if (cfg.zone) {
    labels['topology.kubernetes.io/zone'] = cfg.zone;
    const region = cfg.zone.replace(/[a-z]$/, '');
    if (region !== cfg.zone) labels['topology.kubernetes.io/region'] = region;
  }
  return labels;
}

function cond(
  type: string,
  on: boolean,
  reason: string,
  message: string,
  old: NodeCondition[] | undefined,
  now: Date,
): NodeCondition {
  const status = on ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  return {
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: rfc3339(now),
    lastTransitionTime:
      prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now),
  };
}

/** The status the kubelet posts, keeping transition times from `old`. */
export function nodeStatus(cfg: NodeConfig, facts: HostFacts, old: NodeStatus | undefined, now: Date): NodeStatus {
  const memPressure = facts.memoryAvailableBytes < MEMORY_AVAILABLE_MIN_BYTES;
  const diskPressure = facts.diskBytes > 0 && facts.diskAvailableBytes / facts.diskBytes < DISK_AVAILABLE_MIN_FRACTION;
  const pidPressure = facts.pidMax > 0 && facts.pidsUsed / facts.pidMax > PID_USED_MAX_FRACTION;
  const capacity = {
    cpu: String(facts.cpus),
    memory: `${Math.floor(facts.memoryBytes / KI)}Ki`,
    pods: String(MAX_PODS),
    'ephemeral-storage': `${Math.floor(facts.diskBytes / KI)}Ki`,
  };
  const c = old?.conditions;
  return {
    capacity,
    allocatable: { ...capacity },
    conditions: [
      cond(
        'MemoryPressure',
        memPressure,
        memPressure ? 'KubeletHasInsufficientMemory' : 'KubeletHasSufficientMemory',
        memPressure ? 'kubelet has insufficient memory available' : 'kubelet has sufficient memory available',
        c,
        now,
      ),
      cond(
        'DiskPressure',
        diskPressure,
        diskPressure ? 'KubeletHasDiskPressure' : 'KubeletHasNoDiskPressure',
        diskPressure ? 'kubelet has disk pressure' : 'kubelet has no disk pressure',
        c,
        now,
      ),
      cond(
        'PIDPressure',
        pidPressure,
        pidPressure ? 'KubeletHasInsufficientPID' : 'KubeletHasSufficientPID',
        pidPressure ? 'kubelet has insufficient PID available' : 'kubelet has sufficient PID available',
        c,
        now,
      ),
      cond('Ready', true, 'KubeletReady', 'kubelet is posting ready status', c, now),
    ],
    addresses: [
      { type: 'InternalIP', address: cfg.nodeIp },
      { type: 'Hostname', address: cfg.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort } },
    nodeInfo: {
      machineID: facts.machineID,
      systemUUID: facts.machineID,
      bootID: facts.bootID,
      kernelVersion: facts.kernelVersion,
      osImage: facts.osImage,
      containerRuntimeVersion: facts.containerRuntimeVersion,
      kubeletVersion: cfg.kubeletVersion,
      kubeProxyVersion: cfg.kubeletVersion,
      operatingSystem: facts.os,
      architecture: facts.arch,
    },
  };
}

/** The Node the kubelet registers. */
export function nodeObject(cfg: NodeConfig, facts: HostFacts, now: Date): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: cfg.nodeName,
      labels: nodeLabels(cfg, facts),
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {},
    status: nodeStatus(cfg, facts, undefined, now),
  };
}

/** Whether a new status differs from the old one in anything but heartbeat times. */
export function nodeStatusChanged(old: NodeStatus | undefined, next: NodeStatus): boolean {
  const strip = (s: NodeStatus | undefined) =>
    JSON.stringify({ ...s, conditions: s?.conditions?.map((c) => ({ ...c, lastHeartbeatTime: undefined })) });
  return strip(old) !== strip(next);
}
