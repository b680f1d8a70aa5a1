import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  durationToJson,
  goDurationString,
  intOrStringToJson,
  microTimeToJson,
  quantityToJson,
  timeToJson,
  toNumber,
} from '../../../../core/api/protobuf/well-known.ts';
import { StatusError } from '../../../../core/errors/index.ts';

const SECOND = 1_000_000_000n;

describe('goDurationString', () => {
  it.each<[bigint, string]>([
    [0n, '0s'],
    [1n, '1ns'],
    [999n, '999ns'],
    [1_500n, '1.5\u00b5s'],
    [1_000_000n, '1ms'],
    [100_000_000n, '100ms'],
    [999_999_999n, '999.999999ms'],
    [SECOND, '1s'],
    [1_500_000_000n, '1.5s'],
    [90n * SECOND, '1m30s'],
    [3600n * SECOND, '1h0m0s'],
    [3723n * SECOND + 500_000_000n, '1h2m3.5s'],
    [3600n * SECOND + 1n, '1h0m0.000000001s'],
    [-2n * SECOND, '-2s'],
    [-1_500n, '-1.5\u00b5s'],
    [9_223_372_036_854_775_807n, '2562047h47m16.854775807s'],
  ])('prints %s ns as %s', (ns, want) => {
    expect(goDurationString(ns)).toBe(want);
  });
});

describe('durationToJson', () => {
  it('reads int64 nanoseconds beyond 2^53 without losing precision', () => {
    // The max int64 as protobufjs hands out a decoded int64 (a Long).
    const max = { low: -1, high: 0x7fffffff, unsigned: false };
    expect(durationToJson({ duration: max })).toBe('2562047h47m16.854775807s');
  });

  it('prints an absent duration as 0s', () => {
    expect(durationToJson({})).toBe('0s');
  });
});

describe('toNumber', () => {
  it('accepts plain numbers and Longs', () => {
    expect(toNumber(42)).toBe(42);
    expect(toNumber(protobuf.util.LongBits.fromNumber(-7).toLong())).toBe(-7);
  });
});

describe('timeToJson', () => {
  it.each<[string, Record<string, unknown>, string | null]>([
    ['an empty message', {}, null],
    ['the Unix epoch', { seconds: 0 }, '1970-01-01T00:00:00Z'],
    ['Go zero time', { seconds: -62135596800 }, null],
    ['seconds and nanos', { seconds: 1719750896, nanos: 5 }, '2024-06-30T12:34:56Z'],
    ['year 9999', { seconds: 253402300799 }, '9999-12-31T23:59:59Z'],
  ])('prints %s', (_case, msg, want) => {
    expect(timeToJson(msg)).toBe(want);
  });

  it('rejects a year Go cannot print in RFC 3339', () => {
    expect(() => timeToJson({ seconds: 253402300800 })).toThrow(StatusError);
  });
});

describe('microTimeToJson', () => {
  it.each<[Record<string, unknown>, string | null]>([
    [{}, null],
    [{ seconds: 1719750896 }, '2024-06-30T12:34:56.000000Z'],
    [{ seconds: 1719750896, nanos: 1_999 }, '2024-06-30T12:34:56.000001Z'],
    [{ seconds: 1719750896, nanos: 999_999_999 }, '2024-06-30T12:34:56.999999Z'],
  ])('prints %o as %s', (msg, want) => {
    expect(microTimeToJson(msg)).toBe(want);
  });

  it('rejects nanos outside a second', () => {
    expect(() => microTimeToJson({ seconds: 1, nanos: 1_000_000_000 })).toThrow(StatusError);
  });
});

describe('quantityToJson', () => {
  it.each(['0', '1', '1500m', '4Gi', '1e3', '.5', '+1.5E-3', '100Ki', '-2'])('keeps %s as sent', (q) => {
    expect(quantityToJson({ string: q })).toBe(q);
  });

  it('prints an absent quantity as "0"', () => {
    expect(quantityToJson({})).toBe('0');
  });

  it.each(['', 'lots', '1.5.5', '4GB', 'Gi'])('rejects %j', (q) => {
    expect(() => quantityToJson({ string: q })).toThrow(/quantities must match/);
  });
});

describe('intOrStringToJson', () => {
  it.each<[Record<string, unknown>, number | string]>([
    [{ type: 0, intVal: 80 }, 80],
    [{ intVal: 80 }, 80],
    [{ type: 1, strVal: '25%' }, '25%'],
    [{ type: 1 }, ''],
    [{}, 0],
  ])('prints %o as %j', (msg, want) => {
    expect(intOrStringToJson(msg)).toBe(want);
  });
});
