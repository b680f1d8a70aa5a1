import { describe, expect, it } from 'vitest';
import { addDefaultTolerationSeconds } from '../../../../core/api/defaulting/tolerations.ts';

const NOT_READY = {
  key: 'node.kubernetes.io/not-ready',
  operator: 'Exists',
  effect: 'NoExecute',
  tolerationSeconds: 300,
};
const UNREACHABLE = {
  key: 'node.kubernetes.io/unreachable',
  operator: 'Exists',
  effect: 'NoExecute',
  tolerationSeconds: 300,
};

describe('addDefaultTolerationSeconds', () => {
  it.each([
    ['a pod without tolerations gets both', undefined, [NOT_READY, UNREACHABLE]],
    [
      'other tolerations are kept, first',
      [{ key: 'gpu', operator: 'Exists' }],
      [{ key: 'gpu', operator: 'Exists' }, NOT_READY, UNREACHABLE],
    ],
    [
      'its own not-ready toleration is kept as it is',
      [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }],
      [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
        UNREACHABLE,
      ],
    ],
    ['a toleration of every taint covers both', [{ operator: 'Exists' }], [{ operator: 'Exists' }]],
    [
      'a NoSchedule toleration of the key does not count',
      [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }],
      [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }, NOT_READY, UNREACHABLE],
    ],
  ])('%s', (_name, tolerations, want) => {
    const pod = { spec: { containers: [], ...(tolerations ? { tolerations } : {}) } };
    addDefaultTolerationSeconds(pod);
    expect(pod.spec).toEqual({ containers: [], tolerations: want });
    addDefaultTolerationSeconds(pod);
    expect(pod.spec.tolerations).toEqual(want);
  });

  it('uses the configured seconds', () => {
    const pod = { spec: { containers: [] as unknown[] } } as {
      spec: { containers: unknown[]; tolerations?: { tolerationSeconds: number }[] };
    };
    addDefaultTolerationSeconds(pod, 3);
    expect(pod.spec.tolerations?.map((t) => t.tolerationSeconds)).toEqual([3, 3]);
  });
});
