import { describe, expect, it } from 'vitest';
import { createSchedulerCache } from '../../../../core/scheduler/cache.ts';
import { CycleState } from '../../../../core/scheduler/framework.ts';
import { newNodeInfo } from '../../../../core/scheduler/node-info.ts';
import { ERR_REASON, nodePorts } from '../../../../core/scheduler/plugins/node-ports.ts';
import { makeNode, makePod } from '../../../fixtures/scheduler.ts';

type Port = { port: number; protocol?: string; hostIP?: string };

describe('NodePorts', () => {
  it.each<{ name: string; used: Port[]; wanted: Port[]; conflict: boolean }>([
    { name: 'passes distinct ports', used: [{ port: 80 }], wanted: [{ port: 81 }], conflict: false },
    { name: 'rejects the same port and protocol', used: [{ port: 80 }], wanted: [{ port: 80 }], conflict: true },
    { name: 'defaults protocol to TCP', used: [{ port: 80, protocol: 'TCP' }], wanted: [{ port: 80 }], conflict: true },
    { name: 'passes another protocol', used: [{ port: 53, protocol: 'UDP' }], wanted: [{ port: 53 }], conflict: false },
    {
      name: 'passes distinct specific IPs',
      used: [{ port: 80, hostIP: '10.0.0.1' }],
      wanted: [{ port: 80, hostIP: '10.0.0.2' }],
      conflict: false,
    },
    {
      name: 'rejects a wildcard against a specific IP',
      used: [{ port: 80, hostIP: '10.0.0.1' }],
      wanted: [{ port: 80 }],
      conflict: true,
    },
    {
      name: 'rejects a specific IP against a wildcard',
      used: [{ port: 80 }],
      wanted: [{ port: 80, hostIP: '10.0.0.1' }],
      conflict: true,
    },
    {
      name: 'rejects when any of several ports conflicts',
      used: [{ port: 443 }],
      wanted: [{ port: 80 }, { port: 443 }],
      conflict: true,
    },
  ])('$name', ({ used, wanted, conflict }) => {
    const info = newNodeInfo(makeNode({ name: 'n1' }), [makePod({ name: 'a', nodeName: 'n1', hostPorts: used })]);
    const status = nodePorts.filter(makePod({ name: 'p', hostPorts: wanted }), info, new CycleState());
    expect(status.reasons).toEqual(conflict ? [ERR_REASON] : []);
    expect(status.code).toBe(conflict ? 'Unschedulable' : 'Success');
  });

  it('frees a port when the pod using it leaves', () => {
    const a = makePod({ name: 'a', nodeName: 'n1', hostPorts: [{ port: 80 }] });
    const info = newNodeInfo(makeNode({ name: 'n1' }), [a]);
    info.removePod('uid-default-a');
    expect(nodePorts.filter(makePod({ name: 'p', hostPorts: [{ port: 80 }] }), info, new CycleState()).code).toBe(
      'Success',
    );
  });

  it('skips pods without host ports', () => {
    const snapshot = createSchedulerCache().snapshot();
    expect(nodePorts.preFilter(makePod({ name: 'p' }), new CycleState(), snapshot).status.code).toBe('Skip');
  });

  it('words its reason as kube-scheduler does', () => {
    expect(ERR_REASON).toBe("node(s) didn't have free ports for the requested pod ports");
  });
});
