import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { describe, expect, it } from 'vitest';
import { compileLabelSelector, requiredNodeAffinity } from '../../../core/scheduler/selectors.ts';
import { makePod } from '../../fixtures/scheduler.ts';

const labels = { app: 'web', tier: 'front' };

describe('compileLabelSelector', () => {
  it.each<[string, LabelSelector | undefined, boolean]>([
    ['nil matches nothing', undefined, false],
    ['{} matches everything', {}, true],
    ['matchLabels', { matchLabels: { app: 'web' } }, true],
    ['matchLabels with another value', { matchLabels: { app: 'db' } }, false],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] }, true],
    ['NotIn', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    ['Exists', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['Gt, which label selectors lack', { matchExpressions: [{ key: 'n', operator: 'Gt', values: ['1'] }] }, false],
    [
      'Exists with values (malformed)',
      { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] },
      false,
    ],
    [
      'matchLabels ANDed with expressions',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] },
      false,
    ],
  ])('%s', (_name, selector, want) => {
    expect(compileLabelSelector(selector).matches(labels)).toBe(want);
  });

  it('tells empty from nothing', () => {
    expect([compileLabelSelector({}).empty, compileLabelSelector(undefined).empty]).toEqual([true, false]);
    expect(compileLabelSelector(undefined).nothing).toBe(true);
  });
});

describe('requiredNodeAffinity', () => {
  it('matches everything for a pod without node constraints', () => {
    const a = requiredNodeAffinity(makePod({ name: 'p' }));
    expect(a.matchesAll).toBe(true);
    expect(a.matches(undefined, 'n1')).toBe(true);
  });

  it('does not treat label keys as inherited object properties', () => {
    const a = requiredNodeAffinity(
      makePod({
        name: 'p',
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }],
            },
          },
        },
      }),
    );
    expect(a.matches({}, 'n1')).toBe(false);
    expect(a.matches({ constructor: 'x' }, 'n1')).toBe(true);
  });
});
