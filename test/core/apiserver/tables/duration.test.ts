import { describe, expect, it } from 'vitest';
import { humanDuration, timestampSince } from '../../../../core/apiserver/tables/index.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;
const y = 365 * d;

describe('humanDuration', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [5 * s, '5s'],
    [-1500, '0s'],
    [-2 * s, '<invalid>'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 2 * s, '3m2s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [5 * h + 30 * m, '5h30m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d + 5 * h, '8d'],
    [729 * d, '729d'],
    [2 * y, '2y'],
    [2 * y + 10 * d, '2y10d'],
    [8 * y + 100 * d, '8y'],
  ])('formats %i ms as %s', (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe('timestampSince', () => {
  const now = new Date('2025-01-01T12:00:00Z');

  it('measures the age of an RFC 3339 timestamp against now', () => {
    expect(timestampSince('2025-01-01T11:55:00Z', now)).toBe('5m');
  });

  it.each([undefined, null, '', 'not a time'])('says <unknown> for %s', (ts) => {
    expect(timestampSince(ts, now)).toBe('<unknown>');
  });
});
