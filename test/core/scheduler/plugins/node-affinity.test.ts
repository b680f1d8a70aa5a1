import type { Affinity, NodeSelectorRequirement, NodeSelectorTerm } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import { createSchedulerCache } from '../../../../core/scheduler/cache.ts';
import { CycleState } from '../../../../core/scheduler/framework.ts';
import { newNodeInfo } from '../../../../core/scheduler/node-info.ts';
import { ERR_REASON_POD, nodeAffinity } from '../../../../core/scheduler/plugins/node-affinity.ts';
import { makeNode, makePod } from '../../../fixtures/scheduler.ts';

function required(...terms: NodeSelectorTerm[]): Affinity {
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
}

function expr(key: string, operator: string, values?: string[]): NodeSelectorRequirement {
  return { key, operator, values };
}

const node = makeNode({ name: 'n1', labels: { disk: 'ssd', gpus: '4', zone: 'a', empty: '' } });

describe('NodeAffinity filter', () => {
  it.each<{ name: string; nodeSelector?: Record<string, string>; affinity?: Affinity; pass: boolean }>([
    { name: 'passes a pod with no constraints', pass: true },
    { name: 'passes a matching nodeSelector', nodeSelector: { disk: 'ssd' }, pass: true },
    { name: 'rejects a nodeSelector with another value', nodeSelector: { disk: 'hdd' }, pass: false },
    { name: 'rejects a nodeSelector with a missing key', nodeSelector: { disk: 'ssd', arch: 'arm' }, pass: false },
    { name: 'passes In', affinity: required({ matchExpressions: [expr('disk', 'In', ['hdd', 'ssd'])] }), pass: true },
    {
      name: 'rejects In without the value',
      affinity: required({ matchExpressions: [expr('disk', 'In', ['hdd'])] }),
      pass: false,
    },
    { name: 'passes NotIn', affinity: required({ matchExpressions: [expr('disk', 'NotIn', ['hdd'])] }), pass: true },
    {
      name: 'passes NotIn on a missing key',
      affinity: required({ matchExpressions: [expr('x', 'NotIn', ['y'])] }),
      pass: true,
    },
    {
      name: 'rejects NotIn with the value',
      affinity: required({ matchExpressions: [expr('disk', 'NotIn', ['ssd'])] }),
      pass: false,
    },
    { name: 'passes Exists', affinity: required({ matchExpressions: [expr('empty', 'Exists')] }), pass: true },
    {
      name: 'rejects Exists on a missing key',
      affinity: required({ matchExpressions: [expr('x', 'Exists')] }),
      pass: false,
    },
    { name: 'passes DoesNotExist', affinity: required({ matchExpressions: [expr('x', 'DoesNotExist')] }), pass: true },
    {
      name: 'rejects DoesNotExist',
      affinity: required({ matchExpressions: [expr('disk', 'DoesNotExist')] }),
      pass: false,
    },
    { name: 'passes Gt', affinity: required({ matchExpressions: [expr('gpus', 'Gt', ['3'])] }), pass: true },
    {
      name: 'rejects Gt at equality',
      affinity: required({ matchExpressions: [expr('gpus', 'Gt', ['4'])] }),
      pass: false,
    },
    { name: 'passes Lt', affinity: required({ matchExpressions: [expr('gpus', 'Lt', ['5'])] }), pass: true },
    { name: 'rejects Lt', affinity: required({ matchExpressions: [expr('gpus', 'Lt', ['4'])] }), pass: false },
    {
      name: 'rejects Gt on a non-integer label',
      affinity: required({ matchExpressions: [expr('disk', 'Gt', ['1'])] }),
      pass: false,
    },
    {
      name: 'rejects a malformed Gt',
      affinity: required({ matchExpressions: [expr('gpus', 'Gt', ['a'])] }),
      pass: false,
    },
    {
      name: 'rejects In without values',
      affinity: required({ matchExpressions: [expr('disk', 'In', [])] }),
      pass: false,
    },
    {
      name: 'ANDs expressions within a term',
      affinity: required({ matchExpressions: [expr('disk', 'In', ['ssd']), expr('zone', 'In', ['b'])] }),
      pass: false,
    },
    {
      name: 'ORs terms',
      affinity: required(
        { matchExpressions: [expr('zone', 'In', ['b'])] },
        { matchExpressions: [expr('disk', 'In', ['ssd'])] },
      ),
      pass: true,
    },
    { name: 'rejects when the only term is empty', affinity: required({}), pass: false },
    { name: 'rejects when there are no terms', affinity: required(), pass: false },
    {
      name: 'passes matchFields on its name',
      affinity: required({ matchFields: [expr('metadata.name', 'In', ['n1'])] }),
      pass: true,
    },
    {
      name: 'rejects matchFields on another name',
      affinity: required({ matchFields: [expr('metadata.name', 'In', ['n2'])] }),
      pass: false,
    },
    {
      name: 'passes NotIn matchFields',
      affinity: required({ matchFields: [expr('metadata.name', 'NotIn', ['n2'])] }),
      pass: true,
    },
    {
      name: 'requires both nodeSelector and affinity',
      nodeSelector: { disk: 'hdd' },
      affinity: required({ matchExpressions: [expr('disk', 'Exists')] }),
      pass: false,
    },
  ])('$name', ({ nodeSelector, affinity, pass }) => {
    const pod = makePod({ name: 'p', nodeSelector, affinity });
    const status = nodeAffinity.filter(pod, newNodeInfo(node), new CycleState());
    expect(status.code).toBe(pass ? 'Success' : 'UnschedulableAndUnresolvable');
    expect(status.reasons).toEqual(pass ? [] : [ERR_REASON_POD]);
  });

  it('words its reason as kube-scheduler does', () => {
    expect(ERR_REASON_POD).toBe("node(s) didn't match Pod's node affinity/selector");
  });
});

describe('NodeAffinity preFilter', () => {
  const snapshot = createSchedulerCache({ nodes: [node] }).snapshot();

  it('skips pods without node constraints', () => {
    expect(nodeAffinity.preFilter(makePod({ name: 'p' }), new CycleState(), snapshot).status.code).toBe('Skip');
  });

  it('narrows to the node names every term pins', () => {
    const pod = makePod({
      name: 'p',
      affinity: required(
        { matchFields: [expr('metadata.name', 'In', ['n1', 'n2'])] },
        { matchFields: [expr('metadata.name', 'In', ['n3'])] },
      ),
    });
    const r = nodeAffinity.preFilter(pod, new CycleState(), snapshot);
    expect(r.status.code).toBe('Success');
    expect([...(r.nodeNames ?? [])].sort()).toEqual(['n1', 'n2', 'n3']);
  });

  it('does not narrow when one term pins no name', () => {
    const pod = makePod({
      name: 'p',
      affinity: required(
        { matchFields: [expr('metadata.name', 'In', ['n1'])] },
        { matchExpressions: [expr('disk', 'Exists')] },
      ),
    });
    expect(nodeAffinity.preFilter(pod, new CycleState(), snapshot).nodeNames).toBeUndefined();
  });

  it('rejects terms pinning disjoint names within one term', () => {
    const pod = makePod({
      name: 'p',
      affinity: required({
        matchFields: [expr('metadata.name', 'In', ['n1']), expr('metadata.name', 'In', ['n2'])],
      }),
    });
    const r = nodeAffinity.preFilter(pod, new CycleState(), snapshot);
    expect(r.status).toEqual({ code: 'UnschedulableAndUnresolvable', reasons: ['pod affinity terms conflict'] });
  });
});

describe('NodeAffinity score', () => {
  const pod = makePod({
    name: 'p',
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 10, preference: { matchExpressions: [expr('disk', 'In', ['ssd'])] } },
          { weight: 5, preference: { matchExpressions: [expr('zone', 'In', ['a'])] } },
          { weight: 0, preference: { matchExpressions: [expr('zone', 'In', ['b'])] } },
          { weight: 50, preference: {} },
        ],
      },
    },
  });
  const nodes = [
    newNodeInfo(makeNode({ name: 'both', labels: { disk: 'ssd', zone: 'a' } })),
    newNodeInfo(makeNode({ name: 'disk', labels: { disk: 'ssd', zone: 'b' } })),
    newNodeInfo(makeNode({ name: 'none', labels: { zone: 'b' } })),
  ];

  it('sums matching weights and normalizes to the best node', () => {
    const state = new CycleState();
    const snapshot = createSchedulerCache().snapshot();
    expect(nodeAffinity.preScore(pod, state, nodes, snapshot).code).toBe('Success');
    const scores = nodes.map((n) => nodeAffinity.score(pod, n, state));
    expect(scores).toEqual([15, 10, 0]);
    nodeAffinity.normalize(scores, nodes, state);
    expect(scores).toEqual([100, 66, 0]);
  });

  it('skips pods without preferences', () => {
    const snapshot = createSchedulerCache().snapshot();
    expect(nodeAffinity.preScore(makePod({ name: 'q' }), new CycleState(), nodes, snapshot).code).toBe('Skip');
  });
});
