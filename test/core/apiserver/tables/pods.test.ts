import type { Pod } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { podPrinter, summarizePod } from '../../../../core/apiserver/tables/pods.ts';
import { makeContainer, makePod, type Overrides } from '../../../fixtures/objects.ts';

const NOW = new Date('2025-01-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString().replace(/\.\d+Z$/, 'Z');
const pod = (overrides: Overrides) => makePod(overrides) as unknown as Pod;
const running = (name = 'web', extra: Overrides = {}) => ({
  name,
  ready: true,
  restartCount: 0,
  image: 'nginx:1.27',
  imageID: '',
  state: { running: { startedAt: ago(60_000) } },
  ...extra,
});
const waiting = (reason: string, name = 'web') => ({
  name,
  ready: false,
  restartCount: 0,
  image: 'nginx:1.27',
  imageID: '',
  state: { waiting: { reason } },
});
const twoInits = { initContainers: [makeContainer({ name: 'init-a' }), makeContainer({ name: 'init-b' })] };

describe('summarizePod', () => {
  it.each<[string, Overrides, string]>([
    ['Pending without statuses', { status: { phase: 'Pending' } }, 'Pending'],
    [
      'a waiting container reason',
      { status: { phase: 'Pending', containerStatuses: [waiting('ContainerCreating')] } },
      'ContainerCreating',
    ],
    [
      'CrashLoopBackOff',
      { status: { phase: 'Running', containerStatuses: [waiting('CrashLoopBackOff')] } },
      'CrashLoopBackOff',
    ],
    ['Running', { status: { phase: 'Running', containerStatuses: [running()] } }, 'Running'],
    [
      'Completed',
      {
        status: {
          phase: 'Succeeded',
          containerStatuses: [
            { ...running(), ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          ],
        },
      },
      'Completed',
    ],
    [
      'Error from a terminated container',
      {
        status: {
          phase: 'Failed',
          containerStatuses: [{ ...running(), state: { terminated: { exitCode: 1, reason: 'Error' } } }],
        },
      },
      'Error',
    ],
    [
      'ExitCode when the terminated container has no reason',
      { status: { phase: 'Failed', containerStatuses: [{ ...running(), state: { terminated: { exitCode: 3 } } }] } },
      'ExitCode:3',
    ],
    [
      'Signal when the terminated container was signalled',
      {
        status: {
          phase: 'Failed',
          containerStatuses: [{ ...running(), state: { terminated: { exitCode: 137, signal: 9 } } }],
        },
      },
      'Signal:9',
    ],
    [
      'the first container when several report',
      {
        status: {
          phase: 'Pending',
          containerStatuses: [waiting('ImagePullBackOff', 'a'), waiting('ContainerCreating', 'b')],
        },
      },
      'ImagePullBackOff',
    ],
    ['the pod status reason', { status: { phase: 'Failed', reason: 'Evicted' } }, 'Evicted'],
    [
      'SchedulingGated',
      {
        status: {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
        },
      },
      'SchedulingGated',
    ],
    [
      'Init:0/2 while the first init container runs',
      {
        spec: twoInits,
        status: {
          phase: 'Pending',
          initContainerStatuses: [running('init-a', { ready: false }), waiting('PodInitializing', 'init-b')],
        },
      },
      'Init:0/2',
    ],
    [
      'Init:1/2 after the first init container succeeded',
      {
        spec: twoInits,
        status: {
          phase: 'Pending',
          initContainerStatuses: [
            { ...running('init-a'), state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            running('init-b', { ready: false }),
          ],
        },
      },
      'Init:1/2',
    ],
    [
      'Init:<waiting reason>',
      { spec: twoInits, status: { phase: 'Pending', initContainerStatuses: [waiting('CrashLoopBackOff', 'init-a')] } },
      'Init:CrashLoopBackOff',
    ],
    [
      'Init:<terminated reason>',
      {
        spec: twoInits,
        status: {
          phase: 'Pending',
          initContainerStatuses: [{ ...running('init-a'), state: { terminated: { exitCode: 1, reason: 'Error' } } }],
        },
      },
      'Init:Error',
    ],
    [
      'Init:ExitCode without a terminated reason',
      {
        spec: twoInits,
        status: {
          phase: 'Pending',
          initContainerStatuses: [{ ...running('init-a'), state: { terminated: { exitCode: 2 } } }],
        },
      },
      'Init:ExitCode:2',
    ],
    [
      'Terminating once deleted',
      { metadata: { deletionTimestamp: ago(1000) }, status: { phase: 'Running', containerStatuses: [running()] } },
      'Terminating',
    ],
    [
      'Unknown for a deleted pod on a lost node',
      { metadata: { deletionTimestamp: ago(1000) }, status: { phase: 'Running', reason: 'NodeLost' } },
      'Unknown',
    ],
    [
      'the terminal phase even when deleted',
      { metadata: { deletionTimestamp: ago(1000) }, status: { phase: 'Succeeded' } },
      'Succeeded',
    ],
  ])('reports %s', (_name, overrides, reason) => {
    expect(summarizePod(pod(overrides), NOW).reason).toBe(reason);
  });

  it('turns Completed back to Running while another container still runs and the pod is ready', () => {
    const p = pod({
      spec: { containers: [makeContainer({ name: 'a' }), makeContainer({ name: 'b' })] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          { ...running('a'), ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          running('b'),
        ],
      },
    });
    expect(summarizePod(p, NOW)).toMatchObject({ reason: 'Running', ready: '1/2' });
  });

  it('says NotReady for that case when the pod is not ready', () => {
    const p = pod({
      spec: { containers: [makeContainer({ name: 'a' }), makeContainer({ name: 'b' })] },
      status: {
        phase: 'Running',
        containerStatuses: [
          { ...running('a'), ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          running('b'),
        ],
      },
    });
    expect(summarizePod(p, NOW).reason).toBe('NotReady');
  });

  it('counts ready running containers over all containers', () => {
    const p = pod({
      spec: { containers: [makeContainer({ name: 'a' }), makeContainer({ name: 'b' })] },
      status: { phase: 'Running', containerStatuses: [running('a'), running('b', { ready: false })] },
    });
    expect(summarizePod(p, NOW).ready).toBe('1/2');
  });

  it('counts started sidecar init containers as containers', () => {
    const p = pod({
      spec: { initContainers: [makeContainer({ name: 'proxy', restartPolicy: 'Always' })] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [running('proxy', { started: true, restartCount: 1 })],
        containerStatuses: [running('web', { restartCount: 2 })],
      },
    });
    expect(summarizePod(p, NOW)).toEqual({ ready: '2/2', reason: 'Running', restarts: '3' });
  });

  it('adds how long ago the last restart was', () => {
    const p = pod({
      status: {
        phase: 'Running',
        containerStatuses: [
          running('web', { restartCount: 5, lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * 60_000) } } }),
        ],
      },
    });
    expect(summarizePod(p, NOW).restarts).toBe('5 (5m ago)');
  });

  it('prints a bare count when no termination time is known', () => {
    const p = pod({ status: { phase: 'Running', containerStatuses: [running('web', { restartCount: 4 })] } });
    expect(summarizePod(p, NOW).restarts).toBe('4');
  });
});

describe('podPrinter', () => {
  it('prints every column, wide ones included', () => {
    const p = makePod({
      metadata: { creationTimestamp: ago(3 * 60_000 + 2000) },
      spec: { nodeName: 'node-1', readinessGates: [{ conditionType: 'example.com/ready' }] },
      status: {
        phase: 'Running',
        podIP: '10.0.0.5',
        podIPs: [{ ip: '10.0.0.5' }],
        conditions: [{ type: 'example.com/ready', status: 'True' }],
        containerStatuses: [running()],
      },
    }) as KubeObject;
    expect(podPrinter.cells(p, NOW)).toEqual([
      'web',
      '1/1',
      'Running',
      '0',
      '3m2s',
      '10.0.0.5',
      'node-1',
      '<none>',
      '1/1',
    ]);
    expect(podPrinter.columns.map((c) => c.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP',
      'Node',
      'Nominated Node',
      'Readiness Gates',
    ]);
    expect(podPrinter.columns.map((c) => c.priority)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('prints <none> for an unscheduled pod', () => {
    const cells = podPrinter.cells(makePod({ status: { phase: 'Pending' } }) as KubeObject, NOW);
    expect(cells.slice(4)).toEqual(['<unknown>', '<none>', '<none>', '<none>', '<none>']);
  });

  it.each([
    ['Succeeded', 'Succeeded'],
    ['Failed', 'Failed'],
  ])('marks a %s pod Completed', (phase, reason) => {
    expect(podPrinter.conditions?.(makePod({ status: { phase } }) as KubeObject)).toEqual([
      expect.objectContaining({ type: 'Completed', status: 'True', reason }),
    ]);
  });

  it('adds no condition to a running pod', () => {
    expect(podPrinter.conditions?.(makePod({ status: { phase: 'Running' } }) as KubeObject)).toBeUndefined();
  });
});
