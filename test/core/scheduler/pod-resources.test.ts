import type { Container } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MEMORY_REQUEST,
  isScalarResourceName,
  podHostPorts,
  podNonZeroRequests,
  podRequests,
} from '../../../core/scheduler/pod-resources.ts';
import { makePod } from '../../fixtures/scheduler.ts';

const c = (name: string, cpu?: string, memory?: string, extra: Partial<Container> = {}): Container => ({
  name,
  resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } },
  ...extra,
});

describe('podRequests', () => {
  it.each<{
    name: string;
    containers: Container[];
    init?: Container[];
    overhead?: Record<string, string>;
    cpu: number;
    memory: number;
  }>([
    {
      name: 'sums app containers',
      containers: [c('a', '100m', '1Mi'), c('b', '200m', '1Mi')],
      cpu: 300,
      memory: 2 * 2 ** 20,
    },
    {
      name: 'takes an init container when it is larger',
      containers: [c('a', '100m'), c('b', '200m')],
      init: [c('i1', '1'), c('i2', '500m')],
      cpu: 1000,
      memory: 0,
    },
    {
      name: 'keeps the app sum when larger than init',
      containers: [c('a', '2')],
      init: [c('i', '1', '1Gi')],
      cpu: 2000,
      memory: 2 ** 30,
    },
    {
      name: 'adds sidecars to the app sum and under later init containers',
      containers: [c('a', '100m')],
      init: [c('side', '200m', undefined, { restartPolicy: 'Always' }), c('i', '500m')],
      cpu: 700,
      memory: 0,
    },
    {
      name: 'ignores sidecars started after a classic init container for that container',
      containers: [c('a', '100m')],
      init: [c('i', '500m'), c('side', '200m', undefined, { restartPolicy: 'Always' })],
      cpu: 500,
      memory: 0,
    },
    {
      name: 'adds overhead',
      containers: [c('a', '100m')],
      overhead: { cpu: '50m', memory: '10Mi' },
      cpu: 150,
      memory: 10 * 2 ** 20,
    },
    {
      name: 'uses limits where requests are missing, as defaulting does',
      containers: [{ name: 'a', resources: { limits: { cpu: '300m', memory: '1Gi' }, requests: { memory: '512Mi' } } }],
      cpu: 300,
      memory: 512 * 2 ** 20,
    },
  ])('$name', ({ containers, init, overhead, cpu, memory }) => {
    const r = podRequests(makePod({ name: 'p', containers, initContainers: init, overhead }));
    expect([r.milliCPU, r.memory, r.pods]).toEqual([cpu, memory, 1]);
  });

  it('tracks extended resources by name', () => {
    const r = podRequests(makePod({ name: 'p', extra: { 'nvidia.com/gpu': '2', 'hugepages-2Mi': '4Mi' } }));
    expect(Object.fromEntries(r.scalar)).toEqual({ 'nvidia.com/gpu': 2, 'hugepages-2Mi': 4 * 2 ** 20 });
  });

  it('counts a malformed quantity as nothing', () => {
    expect(podRequests(makePod({ name: 'p', cpu: 'lots' })).milliCPU).toBe(0);
  });
});

describe('podNonZeroRequests', () => {
  it('gives containers without requests the scoring defaults but keeps explicit zeros', () => {
    const pod = makePod({ name: 'p', containers: [c('a'), c('b', '0', '0'), c('d', '250m')] });
    expect(podNonZeroRequests(pod)).toEqual({ milliCPU: 100 + 0 + 250, memory: DEFAULT_MEMORY_REQUEST * 2 });
  });
});

describe('podHostPorts', () => {
  it('sanitizes host IP and protocol and skips container-only ports', () => {
    const pod = makePod({
      name: 'p',
      containers: [{ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] }],
      initContainers: [
        {
          name: 's',
          restartPolicy: 'Always',
          ports: [{ containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.1' }],
        },
        { name: 'i', ports: [{ containerPort: 9, hostPort: 9 }] },
      ],
    });
    expect(podHostPorts(pod)).toEqual([
      { hostIP: '0.0.0.0', protocol: 'TCP', port: 8080 },
      { hostIP: '10.0.0.1', protocol: 'UDP', port: 53 },
    ]);
  });
});

describe('isScalarResourceName', () => {
  it.each([
    ['nvidia.com/gpu', true],
    ['hugepages-1Gi', true],
    ['kubernetes.io/foo', true],
    ['cpu', false],
    ['pods', false],
    ['requests.nvidia.com/gpu', false],
  ])('%s → %s', (name, want) => {
    expect(isScalarResourceName(name)).toBe(want);
  });
});
