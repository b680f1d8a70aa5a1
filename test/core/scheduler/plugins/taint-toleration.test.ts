import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { createSchedulerCache } from '../../../../core/scheduler/cache.ts';
import { CycleState } from '../../../../core/scheduler/framework.ts';
import { newNodeInfo } from '../../../../core/scheduler/node-info.ts';
import { taintToleration } from '../../../../core/scheduler/plugins/taint-toleration.ts';
import { toleratesTaint } from '../../../../core/scheduler/taints.ts';
import { makeNode, makePod } from '../../../fixtures/scheduler.ts';

const gpu: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

describe('toleratesTaint', () => {
  it.each<[string, Toleration, Taint, boolean]>([
    [
      'Equal with the same key, value and effect',
      { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
      gpu,
      true,
    ],
    ['no operator meaning Equal', { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, gpu, true],
    ['Equal with another value', { key: 'dedicated', value: 'cpu', effect: 'NoSchedule' }, gpu, false],
    ['Equal with another key', { key: 'team', value: 'gpu', effect: 'NoSchedule' }, gpu, false],
    ['Exists on the key', { key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }, gpu, true],
    ['Exists with an empty key (every taint)', { operator: 'Exists' }, gpu, true],
    [
      'an empty effect matching every effect',
      { key: 'dedicated', operator: 'Exists' },
      { ...gpu, effect: 'NoExecute' },
      true,
    ],
    ['another effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, gpu, false],
    ['an unknown operator', { key: 'dedicated', operator: 'Contains', value: 'gpu' }, gpu, false],
    ['Equal against a taint without value', { key: 'k', operator: 'Equal' }, { key: 'k', effect: 'NoSchedule' }, true],
  ])('%s → %s', (_name, toleration, taint, want) => {
    expect(toleratesTaint(toleration, taint)).toBe(want);
  });
});

describe('TaintToleration filter', () => {
  it.each([
    { name: 'passes an untainted node', taints: [], reasons: [] },
    {
      name: 'rejects an untolerated NoSchedule taint',
      taints: [gpu],
      reasons: ['node(s) had untolerated taint {dedicated: gpu}'],
    },
    {
      name: 'rejects an untolerated NoExecute taint without value',
      taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }],
      reasons: ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'],
    },
    { name: 'ignores PreferNoSchedule', taints: [{ ...gpu, effect: 'PreferNoSchedule' }], reasons: [] },
    {
      name: 'names the first untolerated taint in node order',
      taints: [
        { key: 'a', value: '1', effect: 'PreferNoSchedule' },
        { key: 'b', value: '2', effect: 'NoExecute' },
        gpu,
      ],
      reasons: ['node(s) had untolerated taint {b: 2}'],
    },
    {
      name: 'passes when every blocking taint is tolerated',
      taints: [gpu],
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }],
      reasons: [],
    },
  ])('$name', ({ taints, tolerations, reasons }) => {
    const status = taintToleration.filter(
      makePod({ name: 'p', tolerations }),
      newNodeInfo(makeNode({ name: 'n1', taints })),
      new CycleState(),
    );
    expect(status.reasons).toEqual(reasons);
    expect(status.code).toBe(reasons.length ? 'UnschedulableAndUnresolvable' : 'Success');
  });
});

describe('TaintToleration score', () => {
  it('prefers nodes with fewer untolerated PreferNoSchedule taints', () => {
    const soft = (key: string): Taint => ({ key, value: 'x', effect: 'PreferNoSchedule' });
    const pod = makePod({
      name: 'p',
      tolerations: [
        { key: 'ok', operator: 'Exists', effect: 'PreferNoSchedule' },
        { key: 'also-ok', operator: 'Exists' },
        { key: 'wrong-effect', operator: 'Exists', effect: 'NoSchedule' },
      ],
    });
    const nodes = [
      newNodeInfo(makeNode({ name: 'clean' })),
      newNodeInfo(makeNode({ name: 'tolerated', taints: [soft('ok'), soft('also-ok')] })),
      newNodeInfo(makeNode({ name: 'one', taints: [soft('wrong-effect'), soft('ok')] })),
      newNodeInfo(makeNode({ name: 'two', taints: [soft('bad'), soft('wrong-effect')] })),
    ];
    const state = new CycleState();
    taintToleration.preScore(pod, state, nodes, createSchedulerCache().snapshot());
    const scores = nodes.map((n) => taintToleration.score(pod, n, state));
    expect(scores).toEqual([0, 0, 1, 2]);
    taintToleration.normalize(scores, nodes, state);
    expect(scores).toEqual([100, 100, 50, 0]);
  });

  it('gives every node the maximum when none has soft taints', () => {
    const scores = [0, 0];
    taintToleration.normalize(scores, [], new CycleState());
    expect(scores).toEqual([100, 100]);
  });
});
