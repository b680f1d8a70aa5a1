import { describe, expect, it } from 'vitest';
import { isQuantity, QuantityError, quantityMilliValue, quantityValue } from '../../../core/api/quantity.ts';

describe('quantityMilliValue', () => {
  it.each([
    ['100m', 100],
    ['1', 1000],
    ['1.5', 1500],
    ['0.1', 100],
    ['.5', 500],
    ['5.', 5000],
    ['250m', 250],
    ['1e3', 1_000_000],
    ['1E-3', 1],
    ['2k', 2_000_000],
    ['+2', 2000],
    ['-1', -1000],
    ['0', 0],
    ['100n', 1],
    ['1u', 1],
    ['0.0001', 1],
    [2, 2000],
    [0.25, 250],
  ])('converts %s to %d millis', (input, want) => {
    expect(quantityMilliValue(input)).toBe(want);
  });
});

describe('quantityValue', () => {
  it.each([
    ['512Mi', 512 * 1024 * 1024],
    ['1Ki', 1024],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['1G', 1e9],
    ['1M', 1e6],
    ['1k', 1000],
    ['1T', 1e12],
    ['1Ti', 1024 ** 4],
    ['1e3', 1000],
    ['1e+3', 1000],
    ['1.5e3', 1500],
    ['128974848', 128974848],
    ['110', 110],
    ['0.5', 1],
    ['100m', 1],
    ['1500m', 2],
    ['-0.5', -1],
    ['1E', 1e18],
  ])('converts %s to %d', (input, want) => {
    expect(quantityValue(input)).toBe(want);
  });
});

describe('parseQuantity', () => {
  it.each(['', 'abc', '1x', '1 Mi', '1Mii', '1e', '1e1.5', '.', '--1', 'Mi', '1.2.3', '1KiB', '1m3'])(
    'rejects %j',
    (input) => {
      expect(isQuantity(input)).toBe(false);
      expect(() => quantityValue(input)).toThrow(QuantityError);
    },
  );

  it('accepts every suffix Kubernetes defines', () => {
    for (const s of [
      'n',
      'u',
      'm',
      '',
      'k',
      'M',
      'G',
      'T',
      'P',
      'E',
      'Ki',
      'Mi',
      'Gi',
      'Ti',
      'Pi',
      'Ei',
      'e2',
      'E-2',
    ]) {
      expect(isQuantity(`3${s}`), s).toBe(true);
    }
  });

  it('returns the same value from the memo on repeated calls', () => {
    expect(quantityMilliValue('333m')).toBe(333);
    expect(quantityMilliValue('333m')).toBe(333);
    expect(quantityValue('333m')).toBe(1);
  });
});
