/**
 * Probe bookkeeping as the kubelet's prober does it: thresholds of
 * consecutive successes/failures turn raw probe outcomes into a result, and
 * the schedule says when a probe next runs. Readiness starts as failure,
 * liveness as success, startup as unknown (not started). Pure.
 */
import type { Probe } from 'kubernetes-types/core/v1.js';

/** Which probe. */
export type ProbeKind = 'liveness' | 'readiness' | 'startup';

/** Current result and counters of one probe of one container. */
export interface ProbeState {
  result: 'success' | 'failure' | 'unknown';
  successes: number;
  failures: number;
  /** When it last ran (ms), undefined before the first run. */
  lastRunMs?: number;
}

/** Probe timings with Kubernetes' defaults filled in. */
export interface ProbeTimings {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** Timings of `probe` with defaults (period 10 s, timeout 1 s, thresholds 1 and 3; liveness/startup success threshold is always 1). */
export function probeTimings(probe: Probe, kind: ProbeKind): ProbeTimings {
  return {
    initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: (probe.periodSeconds || 10) * 1000,
    timeoutMs: (probe.timeoutSeconds || 1) * 1000,
    successThreshold: kind === 'readiness' ? probe.successThreshold || 1 : 1,
    failureThreshold: probe.failureThreshold || 3,
  };
}

/** The state a probe starts in when its container starts. */
export function initialProbeState(kind: ProbeKind): ProbeState {
  return {
    result: kind === 'liveness' ? 'success' : kind === 'readiness' ? 'failure' : 'unknown',
    successes: 0,
    failures: 0,
  };
}

/** The state after one probe outcome at `nowMs`. */
export function recordProbe(state: ProbeState, timings: ProbeTimings, ok: boolean, nowMs: number): ProbeState {
  const successes = ok ? state.successes + 1 : 0;
  const failures = ok ? 0 : state.failures + 1;
  let result = state.result;
  if (ok && successes >= timings.successThreshold) result = 'success';
  if (!ok && failures >= timings.failureThreshold) result = 'failure';
  return { result, successes, failures, lastRunMs: nowMs };
}

/** When the probe should next run for a container started at `startedMs`. */
export function nextProbeAt(state: ProbeState, timings: ProbeTimings, startedMs: number): number {
  if (state.lastRunMs === undefined) return startedMs + timings.initialDelayMs;
  return state.lastRunMs + timings.periodMs;
}
