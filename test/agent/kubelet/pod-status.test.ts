import type { ContainerStatus } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import {
  computePodStatus,
  type ContainerView,
  containerStatus,
  podPhase,
  statusChanged,
} from '../../../agent/kubelet/pod-status.ts';
import { boundPod, container, runtimeContainer } from '../../fixtures/kubelet.ts';

const now = new Date('2026-12-03T09:00:00Z');
const view = (name: string, extra: Partial<ContainerView> = {}): ContainerView => ({
  spec: container(name),
  attempts: [],
  ready: true,
  started: true,
  ...extra,
});
const running = (name: string, rc = 0) => runtimeContainer(name, { restartCount: rc });
const exited = (name: string, exitCode: number, rc = 0, extra = {}) =>
  runtimeContainer(name, { restartCount: rc, state: 'exited', exitCode, finishedAt: '2026-12-03T08:59:00Z', ...extra });

describe('containerStatus', () => {
  it('reports a running attempt with the previous one as lastState', () => {
    const prev = exited('app', 1, 0);
    const cur = running('app', 1);
    const s = containerStatus(view('app', { attempts: [cur, prev] }), 'ContainerCreating');
    expect(s).toMatchObject({
      name: 'app',
      ready: true,
      started: true,
      restartCount: 1,
      containerID: `docker://${cur.id}`,
      state: { running: { startedAt: cur.startedAt } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', containerID: `docker://${prev.id}` } },
    });
  });

  it.each([
    [0, false, undefined, 'Completed'],
    [1, false, undefined, 'Error'],
    [137, true, undefined, 'OOMKilled'],
    [128, false, 'exec: "nope": not found', 'StartError'],
  ])('an exit %i (oom %s, error %s) has reason %s', (exitCode, oomKilled, error, reason) => {
    const s = containerStatus(view('app', { attempts: [exited('app', exitCode, 0, { oomKilled, error })] }), 'x');
    expect(s.state?.terminated?.reason).toBe(reason);
    expect(s.ready).toBe(false);
  });

  it('shows CrashLoopBackOff waiting with the crash as lastState and the termination message', () => {
    const crash = exited('app', 2, 3);
    const s = containerStatus(
      view('app', {
        attempts: [crash],
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s …' },
        messages: { [crash.id]: 'boom' },
      }),
      'x',
    );
    expect(s.state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s …' } });
    expect(s.lastState?.terminated).toMatchObject({ exitCode: 2, message: 'boom' });
    expect(s.restartCount).toBe(3);
  });

  it('is waiting with the default reason before any attempt', () => {
    expect(containerStatus(view('app'), 'PodInitializing').state).toEqual({ waiting: { reason: 'PodInitializing' } });
  });
});

const st = (state: ContainerStatus['state'], lastState: ContainerStatus['lastState'] = {}): ContainerStatus => ({
  name: 'x',
  image: 'i',
  imageID: '',
  ready: false,
  restartCount: 0,
  state,
  lastState,
});
const run = st({ running: {} });
const ok = st({ terminated: { exitCode: 0 } });
const bad = st({ terminated: { exitCode: 1 } });
const wait = st({ waiting: { reason: 'ContainerCreating' } });
const loop = st({ waiting: { reason: 'CrashLoopBackOff' } }, { terminated: { exitCode: 1 } });

describe('podPhase', () => {
  it.each([
    ['Always', [], [run, run], 'Running'],
    ['Always', [], [run, wait], 'Pending'],
    ['Always', [], [loop], 'Running'],
    ['Always', [], [ok], 'Running'],
    ['OnFailure', [], [ok, ok], 'Succeeded'],
    ['OnFailure', [], [ok, bad], 'Running'],
    ['Never', [], [ok, bad], 'Failed'],
    ['Never', [], [ok, run], 'Running'],
    ['Never', [], [ok], 'Succeeded'],
    ['Always', [run], [wait], 'Pending'],
    ['Never', [bad], [wait], 'Failed'],
    ['OnFailure', [bad], [wait], 'Pending'],
    ['Always', [ok], [run], 'Running'],
  ])('restartPolicy %s, init %j, containers %j → %s', (policy, init, app, phase) => {
    expect(podPhase(boundPod({ spec: { restartPolicy: policy } }), init, app)).toBe(phase);
  });
});

describe('computePodStatus', () => {
  const scheduled = { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-12-03T08:00:00Z' };

  it('builds phase, conditions, IPs and start time for a running ready pod', () => {
    const pod = boundPod({ status: { phase: 'Pending', conditions: [scheduled], qosClass: 'BestEffort' } });
    const s = computePodStatus({
      pod,
      hostIp: '127.0.0.2',
      podIp: '172.17.0.4',
      sandboxReady: true,
      init: [],
      app: [view('app', { attempts: [running('app')] })],
      now,
    });
    expect(s).toMatchObject({
      phase: 'Running',
      hostIP: '127.0.0.2',
      hostIPs: [{ ip: '127.0.0.2' }],
      podIP: '172.17.0.4',
      podIPs: [{ ip: '172.17.0.4' }],
      startTime: '2026-12-03T09:00:00Z',
      qosClass: 'BestEffort',
    });
    expect(s.conditions!.map((c) => [c.type, c.status])).toEqual([
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
      ['PodScheduled', 'True'],
    ]);
  });

  it('names unready and uninitialized containers as Kubernetes does', () => {
    const pod = boundPod({
      spec: { initContainers: [container('setup')], containers: [container('a'), container('b')] },
    });
    const s = computePodStatus({
      pod,
      hostIp: '127.0.0.2',
      sandboxReady: true,
      init: [view('setup', { attempts: [running('setup')] })],
      app: [view('a'), view('b')],
      now,
    });
    expect(s.phase).toBe('Pending');
    const byType = Object.fromEntries(s.conditions!.map((c) => [c.type, c]));
    expect(byType.Initialized).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [setup]',
    });
    expect(byType.Ready).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [a b]',
    });
    expect(s.containerStatuses!.map((c) => c.state?.waiting?.reason)).toEqual(['PodInitializing', 'PodInitializing']);
    expect(s.initContainerStatuses![0].state?.running).toBeDefined();
  });

  it('keeps transition times of unchanged conditions and moves them on a flip', () => {
    const old = { type: 'Ready', status: 'True', lastTransitionTime: '2026-12-03T08:30:00Z' };
    const pod = boundPod({ status: { phase: 'Running', conditions: [old] } });
    const base = { pod, hostIp: 'h', sandboxReady: true, init: [], now };
    const ready = computePodStatus({ ...base, app: [view('app', { attempts: [running('app')] })] });
    expect(ready.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe('2026-12-03T08:30:00Z');
    const unready = computePodStatus({ ...base, app: [view('app', { attempts: [running('app')], ready: false })] });
    expect(unready.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe('2026-12-03T09:00:00Z');
  });

  it('fails a pod past its active deadline, and a terminal phase sticks', () => {
    const pod = boundPod();
    const s = computePodStatus({
      pod,
      hostIp: 'h',
      sandboxReady: true,
      init: [],
      app: [view('app')],
      now,
      deadlineExceeded: true,
    });
    expect(s).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded' });
    const again = computePodStatus({
      pod: { ...pod, status: s },
      hostIp: 'h',
      sandboxReady: true,
      init: [],
      app: [view('app', { attempts: [running('app')] })],
      now,
    });
    expect(again.phase).toBe('Failed');
    expect(again.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
  });

  it('detects changes but not key order', () => {
    expect(statusChanged({ phase: 'Running', hostIP: 'a' }, { hostIP: 'a', phase: 'Running' })).toBe(false);
    expect(statusChanged({ phase: 'Running' }, { phase: 'Failed' })).toBe(true);
    expect(statusChanged(undefined, { phase: 'Running' })).toBe(true);
  });
});
