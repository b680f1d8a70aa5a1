import { describe, expect, it } from 'vitest';
import { CycleState } from '../../../../core/scheduler/framework.ts';
import { newNodeInfo } from '../../../../core/scheduler/node-info.ts';
import { ERR_REASON_UNSCHEDULABLE, nodeUnschedulable } from '../../../../core/scheduler/plugins/node-unschedulable.ts';
import { makeNode, makePod } from '../../../fixtures/scheduler.ts';

describe('NodeUnschedulable', () => {
  it.each([
    { name: 'passes a schedulable node', unschedulable: false, tolerations: undefined, code: 'Success' },
    {
      name: 'rejects a cordoned node',
      unschedulable: true,
      tolerations: undefined,
      code: 'UnschedulableAndUnresolvable',
    },
    {
      name: 'passes a cordoned node when the pod tolerates the unschedulable taint',
      unschedulable: true,
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
      code: 'Success',
    },
    {
      name: 'passes a cordoned node when the pod tolerates everything',
      unschedulable: true,
      tolerations: [{ operator: 'Exists' }],
      code: 'Success',
    },
    {
      name: 'rejects a cordoned node when the toleration has another effect',
      unschedulable: true,
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoExecute' }],
      code: 'UnschedulableAndUnresolvable',
    },
  ])('$name', ({ unschedulable, tolerations, code }) => {
    const status = nodeUnschedulable.filter(
      makePod({ name: 'p', tolerations }),
      newNodeInfo(makeNode({ name: 'n1', unschedulable })),
      new CycleState(),
    );
    expect(status.code).toBe(code);
    expect(status.reasons).toEqual(code === 'Success' ? [] : [ERR_REASON_UNSCHEDULABLE]);
  });

  it('words its reason as kube-scheduler does', () => {
    expect(ERR_REASON_UNSCHEDULABLE).toBe('node(s) were unschedulable');
  });
});
