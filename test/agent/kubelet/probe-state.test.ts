import { describe, expect, it } from 'vitest';
import { initialProbeState, nextProbeAt, probeTimings, recordProbe } from '../../../agent/kubelet/probe-state.ts';

describe('probe state', () => {
  it('fills Kubernetes defaults and forces success threshold 1 for liveness', () => {
    expect(probeTimings({}, 'readiness')).toEqual({
      initialDelayMs: 0,
      periodMs: 10_000,
      timeoutMs: 1000,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(probeTimings({ successThreshold: 3 }, 'liveness').successThreshold).toBe(1);
    expect(probeTimings({ successThreshold: 3 }, 'readiness').successThreshold).toBe(3);
  });

  it.each([
    ['liveness', 'success'],
    ['readiness', 'failure'],
    ['startup', 'unknown'],
  ] as const)('%s starts as %s', (kind, result) => expect(initialProbeState(kind).result).toBe(result));

  it('flips only after the thresholds of consecutive outcomes', () => {
    const t = probeTimings({ successThreshold: 2, failureThreshold: 2 }, 'readiness');
    const outcomes = [true, false, true, true, false, false, true];
    const results: string[] = [];
    let s = initialProbeState('readiness');
    for (const ok of outcomes) {
      s = recordProbe(s, t, ok, 0);
      results.push(s.result);
    }
    expect(results).toEqual(['failure', 'failure', 'failure', 'success', 'success', 'failure', 'failure']);
  });

  it('schedules the first run after the initial delay and then every period', () => {
    const t = probeTimings({ initialDelaySeconds: 5, periodSeconds: 2 }, 'liveness');
    const s0 = initialProbeState('liveness');
    expect(nextProbeAt(s0, t, 1000)).toBe(6000);
    expect(nextProbeAt(recordProbe(s0, t, true, 6100), t, 1000)).toBe(8100);
  });
});
