/**
 * Pod status as the kubelet computes it from what the runtime reports:
 * container states (with lastState, restartCount, ready, started, image and
 * IDs), phase by Kubernetes' rules (`getPhase`), the conditions
 * PodReadyToStartContainers, Initialized, ContainersReady and Ready with
 * Kubernetes' reasons and messages, podIP/hostIP and startTime. A terminal
 * phase never changes back. Pure.
 */
import type {
  Container,
  ContainerState,
  ContainerStatus,
  Pod,
  PodCondition,
  PodStatus,
} from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../core/api/time.ts';
import { LABELS, type RuntimeContainer } from './runtime.ts';

/** Why a container is not running, when the kubelet holds it back. */
export interface Waiting {
  reason: string;
  message?: string;
}

/** What the kubelet knows of one container of the pod spec. */
export interface ContainerView {
  spec: Container;
  /** Runtime attempts, newest first. */
  attempts: RuntimeContainer[];
  /** Set when the kubelet is holding it (CrashLoopBackOff, ErrImagePull, CreateContainerConfigError…). */
  waiting?: Waiting;
  /** Readiness probe result (true when it has none and is running). */
  ready: boolean;
  /** Startup probe passed (true when it has none and is running). */
  started: boolean;
  /** Termination message of the newest and the previous attempt (by container id). */
  messages?: Record<string, string>;
}

/** Input of `computePodStatus`. */
export interface PodStatusInput {
  pod: Pod;
  hostIp: string;
  podIp?: string;
  sandboxReady: boolean;
  init: ContainerView[];
  app: ContainerView[];
  now: Date;
  /** Set when activeDeadlineSeconds passed. */
  deadlineExceeded?: boolean;
}

/** Reason and message of a pod failed by its active deadline. */
export const DEADLINE_EXCEEDED = {
  reason: 'DeadlineExceeded',
  message: 'Pod was active on the node longer than the specified deadline',
};

function restartCountOf(c: RuntimeContainer | undefined): number {
  return Number(c?.labels[LABELS.restartCount] ?? 0) || 0;
}

function terminated(c: RuntimeContainer, message?: string): ContainerState {
  const exitCode = c.exitCode ?? 0;
  const reason = c.oomKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : c.error ? 'StartError' : 'Error';
  return {
    terminated: {
      exitCode,
      reason,
      ...(message || c.error ? { message: message || c.error } : {}),
      startedAt: c.startedAt ?? c.createdAt,
      finishedAt: c.finishedAt ?? c.createdAt,
      containerID: `docker://${c.id}`,
    },
  };
}

/** The status of one container. */
export function containerStatus(view: ContainerView, defaultWaiting: string): ContainerStatus {
  const [latest, prev] = view.attempts;
  let state: ContainerState;
  let lastState: ContainerState = {};
  const msg = (c: RuntimeContainer) => view.messages?.[c.id];
  if (view.waiting) {
    state = {
      waiting: { reason: view.waiting.reason, ...(view.waiting.message ? { message: view.waiting.message } : {}) },
    };
    if (latest?.state === 'exited') lastState = terminated(latest, msg(latest));
  } else if (latest?.state === 'running') {
    state = { running: { startedAt: latest.startedAt ?? latest.createdAt } };
    if (prev?.state === 'exited') lastState = terminated(prev, msg(prev));
  } else if (latest?.state === 'exited') {
    state = terminated(latest, msg(latest));
    if (prev?.state === 'exited') lastState = terminated(prev, msg(prev));
  } else {
    state = { waiting: { reason: defaultWaiting } };
  }
  const running = state.running !== undefined;
  const out: ContainerStatus = {
    name: view.spec.name,
    state,
    lastState,
    ready: running && view.ready,
    restartCount: restartCountOf(latest),
    image: view.spec.image ?? '',
    imageID: latest?.imageId ?? '',
    started: running && view.started,
  };
  if (latest && (running || state.terminated || view.waiting)) out.containerID = `docker://${latest.id}`;
  return out;
}

/** Kubernetes' pod phase from the container statuses. */
export function podPhase(pod: Pod, init: ContainerStatus[], app: ContainerStatus[]): PodStatus['phase'] {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const initDone = init.every((s) => s.state?.terminated?.exitCode === 0);
  if (!initDone) {
    const failed = init.some((s) => (s.state?.terminated?.exitCode ?? 0) !== 0 && s.state?.terminated);
    return failed && policy === 'Never' ? 'Failed' : 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of app) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'OnFailure' ? 'Running' : 'Failed';
  }
  return 'Pending';
}

function condition(
  type: string,
  ok: boolean,
  old: PodCondition[] | undefined,
  now: Date,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = old?.find((c) => c.type === type);
  const c: PodCondition = {
    type,
    status,
    lastProbeTime: null as unknown as string,
    lastTransitionTime:
      prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : rfc3339(now),
  };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

/** The whole pod status the kubelet would write. */
export function computePodStatus(input: PodStatusInput): PodStatus {
  const { pod, now } = input;
  const old = pod.status ?? {};
  const initStatuses = input.init.map((v) => containerStatus(v, 'PodInitializing'));
  const initDone = initStatuses.every((s) => s.state?.terminated?.exitCode === 0);
  const appStatuses = input.app.map((v) => containerStatus(v, initDone ? 'ContainerCreating' : 'PodInitializing'));
  let phase = podPhase(pod, initStatuses, appStatuses);
  let reason: string | undefined;
  let message: string | undefined;
  if (old.phase === 'Succeeded' || old.phase === 'Failed') {
    phase = old.phase;
    reason = old.reason;
    message = old.message;
  } else if (input.deadlineExceeded) {
    phase = 'Failed';
    ({ reason, message } = DEADLINE_EXCEEDED);
  }
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  if (terminal) for (const s of appStatuses) s.ready = false;
  const conds = old.conditions;
  const incompleteInit = initStatuses.filter((s) => s.state?.terminated?.exitCode !== 0).map((s) => s.name);
  const unready = appStatuses.filter((s) => !s.ready).map((s) => s.name);
  const allReady = unready.length === 0 && !terminal;
  const notReadyReason = terminal ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = terminal ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', input.sandboxReady, conds, now),
    condition(
      'Initialized',
      incompleteInit.length === 0,
      conds,
      now,
      'ContainersNotInitialized',
      `containers with incomplete status: [${incompleteInit.join(' ')}]`,
    ),
    condition('Ready', allReady, conds, now, notReadyReason, notReadyMessage),
    condition('ContainersReady', allReady, conds, now, notReadyReason, notReadyMessage),
  ];
  const scheduled = conds?.find((c) => c.type === 'PodScheduled');
  if (scheduled) conditions.push(scheduled);
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIp,
    hostIPs: [{ ip: input.hostIp }],
    startTime: old.startTime ?? rfc3339(now),
    containerStatuses: appStatuses,
    qosClass: old.qosClass,
  };
  if (reason) status.reason = reason;
  if (message) status.message = message;
  if (input.podIp) {
    status.podIP = input.podIp;
    status.podIPs = [{ ip: input.podIp }];
  }
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  if (!status.qosClass) delete status.qosClass;
  return status;
}

/** Whether two statuses differ in anything but volatile fields (compares JSON). */
export function statusChanged(a: PodStatus | undefined, b: PodStatus): boolean {
  return JSON.stringify(normalize(a)) !== JSON.stringify(normalize(b));
}

function normalize(s: PodStatus | undefined): unknown {
  if (!s) return undefined;
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return sortKeys(s);
}
