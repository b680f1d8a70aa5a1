import { describe, expect, it } from 'vitest';
import { CycleState } from '../../../../core/scheduler/framework.ts';
import { newNodeInfo } from '../../../../core/scheduler/node-info.ts';
import { nodeName } from '../../../../core/scheduler/plugins/node-name.ts';
import { makeNode, makePod } from '../../../fixtures/scheduler.ts';

describe('NodeName', () => {
  it.each([
    { name: 'passes any node when the pod names none', wanted: undefined, code: 'Success' },
    { name: 'passes the named node', wanted: 'n1', code: 'Success' },
    { name: 'rejects other nodes', wanted: 'n2', code: 'UnschedulableAndUnresolvable' },
  ])('$name', ({ wanted, code }) => {
    const status = nodeName.filter(
      makePod({ name: 'p', nodeName: wanted }),
      newNodeInfo(makeNode({ name: 'n1' })),
      new CycleState(),
    );
    expect(status.code).toBe(code);
    if (code !== 'Success') expect(status.reasons).toEqual(["node(s) didn't match the requested node name"]);
  });
});
