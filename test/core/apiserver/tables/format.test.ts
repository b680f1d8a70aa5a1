import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { describe, expect, it } from 'vitest';
import {
  containerCells,
  formatLabelSelector,
  formatLabels,
  selectorString,
} from '../../../../core/apiserver/tables/format.ts';

describe('formatLabels', () => {
  it('sorts keys and joins key=value pairs', () => {
    expect(formatLabels({ tier: 'web', app: 'shop' })).toBe('app=shop,tier=web');
  });

  it.each([undefined, null, {}])('prints <none> for %s', (labels) => {
    expect(formatLabels(labels)).toBe('<none>');
  });
});

describe('selectorString', () => {
  it.each<[string, LabelSelector | undefined, string | undefined]>([
    ['absent', undefined, ''],
    ['empty', {}, ''],
    ['match labels sorted by key', { matchLabels: { b: '2', a: '1' } }, 'a=1,b=2'],
    [
      'expressions with sorted values',
      {
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['web', 'api'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'zone', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
      'env notin (dev),!legacy,tier in (api,web),zone',
    ],
    ['an unknown operator', { matchExpressions: [{ key: 'a', operator: 'Near', values: ['b'] }] }, undefined],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, undefined],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, undefined],
  ])('renders %s', (_name, selector, want) => {
    expect(selectorString(selector)).toBe(want);
  });
});

describe('formatLabelSelector', () => {
  it('prints <none> for a selector that selects by nothing', () => {
    expect(formatLabelSelector({})).toBe('<none>');
  });

  it('prints <error> for an invalid selector', () => {
    expect(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] })).toBe('<error>');
  });

  it('prints the selector otherwise', () => {
    expect(formatLabelSelector({ matchLabels: { app: 'web' } })).toBe('app=web');
  });
});

describe('containerCells', () => {
  it('joins names and images with commas', () => {
    expect(
      containerCells([
        { name: 'a', image: 'nginx' },
        { name: 'b', image: 'busybox' },
      ]),
    ).toEqual(['a,b', 'nginx,busybox']);
  });

  it('gives empty cells without containers', () => {
    expect(containerCells(undefined)).toEqual(['', '']);
  });
});
