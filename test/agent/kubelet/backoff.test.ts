import { describe, expect, it } from 'vitest';
import { backoffMessage, formatDuration, nextRestart } from '../../../agent/kubelet/backoff.ts';

describe('nextRestart', () => {
  it('restarts a first crash at once and then waits 10 s doubling to 5 min', () => {
    let state;
    const delays: number[] = [];
    let t = 0;
    for (let i = 0; i < 8; i++) {
      const r = nextRestart(state, t, t + 1000);
      delays.push(r.restartAtMs - (t + 1000));
      state = r.state;
      t = r.restartAtMs;
    }
    expect(delays).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('starts over after a container ran for 10 minutes', () => {
    const long = nextRestart({ delayMs: 160_000 }, 0, 600_000);
    expect(long.restartAtMs).toBe(600_000);
    expect(long.state.delayMs).toBe(10_000);
    const short = nextRestart({ delayMs: 160_000 }, 0, 599_999);
    expect(short.restartAtMs).toBe(599_999 + 160_000);
  });
});

describe('backoffMessage', () => {
  it.each([
    [10_000, '10s'],
    [80_000, '1m20s'],
    [300_000, '5m0s'],
  ])('formats %i ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('matches the kubelet message', () => {
    expect(backoffMessage(20_000, 'app', 'web', 'default', 'u1')).toBe(
      'back-off 20s restarting failed container=app pod=web_default(u1)',
    );
  });
});
