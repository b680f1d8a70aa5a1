import { describe, expect, it } from 'vitest';
import { CycleState } from '../../../../core/scheduler/framework.ts';
import { newNodeInfo } from '../../../../core/scheduler/node-info.ts';
import { ERR_REASON_NOT_READY, nodeReady } from '../../../../core/scheduler/plugins/node-ready.ts';
import { makeNode, makePod } from '../../../fixtures/scheduler.ts';

describe('NodeReady', () => {
  const notReadyToleration = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' };
  const unreachableToleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists' };
  it.each([
    { name: 'passes a Ready node', ready: true, code: 'Success' },
    { name: 'rejects a NotReady node', ready: false, code: 'UnschedulableAndUnresolvable' },
    { name: 'rejects a node whose readiness is Unknown', ready: 'Unknown', code: 'UnschedulableAndUnresolvable' },
    {
      name: 'leaves a tainted NotReady node to TaintToleration',
      ready: false,
      taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }],
      code: 'Success',
    },
    {
      name: 'leaves an unreachable-tainted node to TaintToleration',
      ready: 'Unknown',
      taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }],
      code: 'Success',
    },
    {
      name: 'still rejects when the not-ready taint only prefers no scheduling',
      ready: false,
      taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'PreferNoSchedule' }],
      code: 'UnschedulableAndUnresolvable',
    },
    { name: 'passes a pod tolerating not-ready', ready: false, tolerations: [notReadyToleration], code: 'Success' },
    {
      name: 'passes a pod tolerating unreachable on an Unknown node',
      ready: 'Unknown',
      tolerations: [unreachableToleration],
      code: 'Success',
    },
    {
      name: 'rejects a pod tolerating only unreachable on a NotReady node',
      ready: false,
      tolerations: [unreachableToleration],
      code: 'UnschedulableAndUnresolvable',
    },
  ])('$name', ({ ready, taints, tolerations, code }) => {
    const status = nodeReady.filter(
      makePod({ name: 'p', tolerations }),
      newNodeInfo(makeNode({ name: 'n1', ready, taints })),
      new CycleState(),
    );
    expect(status.code).toBe(code);
    expect(status.reasons).toEqual(code === 'Success' ? [] : [ERR_REASON_NOT_READY]);
  });

  it('rejects a node without any Ready condition', () => {
    const node = makeNode({ name: 'n1' });
    node.status!.conditions = [];
    expect(nodeReady.filter(makePod({ name: 'p' }), newNodeInfo(node), new CycleState()).reasons).toEqual([
      'node(s) were not ready',
    ]);
  });
});
