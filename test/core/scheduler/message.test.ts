import { describe, expect, it } from 'vitest';
import { fitErrorMessage, NO_NODES_AVAILABLE, statusMessage } from '../../../core/scheduler/message.ts';

describe('fitErrorMessage', () => {
  it.each([
    {
      name: 'counts reasons across nodes and sorts "<count> <reason>" strings',
      parts: {
        numAllNodes: 3,
        nodeReasons: [['Insufficient cpu'], ['node(s) had untolerated taint {dedicated: gpu}'], ['Insufficient cpu']],
      },
      want: '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.',
    },
    {
      name: 'counts every reason of a multi-reason node',
      parts: { numAllNodes: 2, nodeReasons: [['Insufficient cpu', 'Insufficient memory'], ['Insufficient memory']] },
      want: '0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.',
    },
    {
      name: 'sorts by the whole string, so 10 comes before 2',
      parts: {
        numAllNodes: 12,
        nodeReasons: [
          ...Array(10).fill(['Too many pods']),
          ['node(s) were unschedulable'],
          ['node(s) were unschedulable'],
        ],
      },
      want: '0/12 nodes are available: 10 Too many pods, 2 node(s) were unschedulable.',
    },
    {
      name: 'adds nodes PreFilter left out under their own reason',
      parts: {
        numAllNodes: 3,
        nodeReasons: [['Insufficient cpu']],
        absentNodes: { count: 2, reasons: ["node(s) didn't satisfy plugin(s) [NodeAffinity]"] },
      },
      want: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity].",
    },
    {
      name: 'uses the PreFilter message alone when PreFilter rejected',
      parts: { numAllNodes: 3, preFilterMessage: 'pod affinity terms conflict', nodeReasons: [['ignored']] },
      want: '0/3 nodes are available: pod affinity terms conflict.',
    },
    {
      name: 'appends a PostFilter message',
      parts: {
        numAllNodes: 1,
        nodeReasons: [['Insufficient cpu']],
        postFilterMessage: 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod',
      },
      want: '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    },
    { name: 'ends at the colon without reasons', parts: { numAllNodes: 0 }, want: '0/0 nodes are available:' },
  ])('$name', ({ parts, want }) => {
    expect(fitErrorMessage(parts)).toBe(want);
  });

  it('has kube-scheduler wording for an empty cluster', () => {
    expect(NO_NODES_AVAILABLE).toBe('no nodes available to schedule pods');
  });

  it('joins a status reasons with a comma', () => {
    expect(statusMessage({ code: 'Unschedulable', reasons: ['a', 'b'] })).toBe('a, b');
  });
});
