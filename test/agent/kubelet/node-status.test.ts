import { describe, expect, it } from 'vitest';
import { type HostFacts, nodeObject, nodeStatus, nodeStatusChanged } from '../../../agent/kubelet/node-status.ts';

const GiB = 1024 ** 3;
const facts: HostFacts = {
  hostname: 'box',
  cpus: 2,
  memoryBytes: 24 * GiB,
  memoryAvailableBytes: 10 * GiB,
  diskBytes: 100 * GiB,
  diskAvailableBytes: 50 * GiB,
  pidsUsed: 500,
  pidMax: 4_194_304,
  os: 'linux',
  arch: 'amd64',
  kernelVersion: '6.1.0',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  machineID: 'm1',
  bootID: 'b1',
  containerRuntimeVersion: 'docker://20.10.24',
};
const cfg = {
  nodeName: 'node-a',
  nodeIp: '127.0.0.2',
  zone: 'eu-west-1a',
  kubeletPort: 10250,
  kubeletVersion: 'v1.32.0-skube',
};
const t0 = new Date('2026-12-03T09:00:00Z');
const t1 = new Date('2026-12-03T09:00:10Z');
const cond = (s: ReturnType<typeof nodeStatus>, type: string) => s.conditions!.find((c) => c.type === type)!;

describe('node status', () => {
  it('registers capacity, labels, addresses, nodeInfo and the kubelet port', () => {
    const node = nodeObject(cfg, facts, t0);
    expect(node.metadata!.labels).toMatchObject({
      'kubernetes.io/hostname': 'node-a',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'topology.kubernetes.io/zone': 'eu-west-1a',
      'topology.kubernetes.io/region': 'eu-west-1',
    });
    expect(node.status).toMatchObject({
      capacity: {
        cpu: '2',
        memory: `${24 * 1024 * 1024}Ki`,
        pods: '110',
        'ephemeral-storage': `${100 * 1024 * 1024}Ki`,
      },
      allocatable: { cpu: '2', pods: '110' },
      addresses: [
        { type: 'InternalIP', address: '127.0.0.2' },
        { type: 'Hostname', address: 'node-a' },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        kubeletVersion: 'v1.32.0-skube',
        containerRuntimeVersion: 'docker://20.10.24',
        operatingSystem: 'linux',
      },
    });
    expect(cond(node.status!, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
    });
  });

  it.each([
    ['MemoryPressure', { memoryAvailableBytes: 50 * 1024 * 1024 }, 'KubeletHasInsufficientMemory'],
    ['DiskPressure', { diskAvailableBytes: 5 * GiB }, 'KubeletHasDiskPressure'],
    ['PIDPressure', { pidsUsed: 4_000_000 }, 'KubeletHasInsufficientPID'],
  ])('reports %s when the host is short', (type, change, reason) => {
    expect(cond(nodeStatus(cfg, facts, undefined, t0), type)).toMatchObject({ status: 'False' });
    expect(cond(nodeStatus(cfg, { ...facts, ...change }, undefined, t0), type)).toMatchObject({
      status: 'True',
      reason,
    });
  });

  it('moves heartbeats every report but transitions only on a flip, and ignores heartbeats when comparing', () => {
    const first = nodeStatus(cfg, facts, undefined, t0);
    const second = nodeStatus(cfg, facts, first, t1);
    expect(cond(second, 'Ready')).toMatchObject({
      lastHeartbeatTime: '2026-12-03T09:00:10Z',
      lastTransitionTime: '2026-12-03T09:00:00Z',
    });
    expect(nodeStatusChanged(first, second)).toBe(false);
    const pressured = nodeStatus(cfg, { ...facts, memoryAvailableBytes: 0 }, first, t1);
    expect(cond(pressured, 'MemoryPressure').lastTransitionTime).toBe('2026-12-03T09:00:10Z');
    expect(nodeStatusChanged(first, pressured)).toBe(true);
  });
});
