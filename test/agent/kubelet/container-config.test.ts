import { describe, expect, it } from 'vitest';
import {
  containerRequest,
  dockerResources,
  pauseRequest,
  podPortBindings,
} from '../../../agent/kubelet/container-config.ts';
import { LABELS } from '../../../agent/kubelet/runtime.ts';
import { boundPod, container } from '../../fixtures/kubelet.ts';

describe('dockerResources', () => {
  it.each([
    [{}, { cpuShares: 2 }],
    [{ requests: { cpu: '250m' } }, { cpuShares: 256 }],
    [{ requests: { cpu: '1m' } }, { cpuShares: 2 }],
    [
      { limits: { cpu: '500m', memory: '64Mi' } },
      { cpuShares: 512, cpuPeriod: 100_000, cpuQuota: 50_000, memoryBytes: 67_108_864 },
    ],
    [
      { requests: { cpu: '100m' }, limits: { cpu: '2' } },
      { cpuShares: 102, cpuPeriod: 100_000, cpuQuota: 200_000 },
    ],
  ])('%j maps to %j', (resources, limits) => {
    expect(dockerResources(container('c', { resources }))).toEqual(limits);
  });
});

describe('pause and container requests', () => {
  const pod = boundPod({
    spec: {
      hostAliases: [{ ip: '127.0.0.50', hostnames: ['db'] }],
      containers: [
        container('web', {
          ports: [
            { containerPort: 8080 },
            { containerPort: 53, protocol: 'UDP' },
            { containerPort: 9000, hostPort: 19000 },
          ],
        }),
        container('side', { ports: [{ containerPort: 8080 }] }),
      ],
    },
  });

  it('publishes each distinct containerPort on the node IP, hostPort when given', () => {
    expect(podPortBindings(pod, '127.0.0.2')).toEqual([
      { containerPort: 8080, protocol: 'TCP', hostIp: '127.0.0.2', hostPort: undefined },
      { containerPort: 53, protocol: 'UDP', hostIp: '127.0.0.2', hostPort: undefined },
      { containerPort: 9000, protocol: 'TCP', hostIp: '127.0.0.2', hostPort: 19000 },
    ]);
  });

  it('labels the pause container and gives it the hostname and hosts entries', () => {
    const req = pauseRequest(pod, {
      nodeName: 'node-a',
      nodeIp: '127.0.0.2',
      image: 'pause',
      command: ['sleep', '1d'],
      hostEntries: [{ ip: '127.96.0.10', hostname: ['api', 'api.default'] }],
    });
    expect(req).toMatchObject({
      name: 'k8s_POD_web_default_uid-1_0',
      hostname: 'web',
      networkMode: 'bridge',
      entrypoint: ['sleep', '1d'],
      extraHosts: ['api:127.96.0.10', 'api.default:127.96.0.10', 'db:127.0.0.50'],
    });
    expect(req.labels).toMatchObject({
      [LABELS.namespace]: 'default',
      [LABELS.podName]: 'web',
      [LABELS.podUid]: 'uid-1',
      [LABELS.containerName]: 'POD',
      [LABELS.node]: 'node-a',
    });
  });

  it('joins app containers to the sandbox; command replaces the entrypoint and args the cmd', () => {
    const base = {
      nodeName: 'node-a',
      kind: 'app' as const,
      restartCount: 2,
      pauseId: 'p1',
      env: [['A', '1']] as [string, string][],
      binds: [],
    };
    const withCommand = containerRequest(pod, container('web', { workingDir: '/www' }), {
      ...base,
      command: ['httpd'],
    });
    expect(withCommand).toMatchObject({
      name: 'k8s_web_web_default_uid-1_2',
      entrypoint: ['httpd'],
      cmd: [],
      env: ['A=1'],
      workingDir: '/www',
      networkMode: 'container:p1',
    });
    expect(withCommand.labels[LABELS.restartCount]).toBe('2');
    const argsOnly = containerRequest(pod, container('web'), { ...base, args: ['-f'] });
    expect(argsOnly.entrypoint).toBeUndefined();
    expect(argsOnly.cmd).toEqual(['-f']);
    const neither = containerRequest(pod, container('web'), base);
    expect(neither.entrypoint).toBeUndefined();
    expect(neither.cmd).toBeUndefined();
  });
});
