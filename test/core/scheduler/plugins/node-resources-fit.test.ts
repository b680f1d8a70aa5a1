import { describe, expect, it } from 'vitest';
import { CycleState } from '../../../../core/scheduler/framework.ts';
import { newNodeInfo } from '../../../../core/scheduler/node-info.ts';
import { nodeResourcesFit } from '../../../../core/scheduler/plugins/node-resources-fit.ts';
import { makeNode, makePod, type PodSpec } from '../../../fixtures/scheduler.ts';

const node = makeNode({
  name: 'n1',
  cpu: '2',
  memory: '4Gi',
  pods: '3',
  ephemeralStorage: '10Gi',
  extra: { 'nvidia.com/gpu': '1' },
});
const existing = [makePod({ name: 'a', cpu: '1', memory: '1Gi', nodeName: 'n1' })];

describe('NodeResourcesFit', () => {
  it.each<{ name: string; pod: Omit<PodSpec, 'name'>; code: string; reasons: string[]; pods?: number }>([
    { name: 'passes a pod that fits', pod: { cpu: '1', memory: '3Gi' }, code: 'Success', reasons: [] },
    { name: 'passes a pod without requests', pod: {}, code: 'Success', reasons: [] },
    { name: 'rejects too much cpu', pod: { cpu: '1001m' }, code: 'Unschedulable', reasons: ['Insufficient cpu'] },
    {
      name: 'rejects cpu and memory, in that order',
      pod: { cpu: '1500m', memory: '3500Mi' },
      code: 'Unschedulable',
      reasons: ['Insufficient cpu', 'Insufficient memory'],
    },
    {
      name: 'marks a request beyond the whole node unresolvable',
      pod: { cpu: '3' },
      code: 'UnschedulableAndUnresolvable',
      reasons: ['Insufficient cpu'],
    },
    {
      name: 'rejects ephemeral storage',
      pod: { ephemeralStorage: '11Gi' },
      code: 'UnschedulableAndUnresolvable',
      reasons: ['Insufficient ephemeral-storage'],
    },
    {
      name: 'passes an extended resource that fits',
      pod: { extra: { 'nvidia.com/gpu': '1' } },
      code: 'Success',
      reasons: [],
    },
    {
      name: 'rejects an extended resource the node lacks',
      pod: { extra: { 'example.com/fpga': '1' } },
      code: 'UnschedulableAndUnresolvable',
      reasons: ['Insufficient example.com/fpga'],
    },
    {
      name: 'rejects the pod over the pod count, before resources',
      pod: { cpu: '1500m' },
      pods: 3,
      code: 'Unschedulable',
      reasons: ['Too many pods', 'Insufficient cpu'],
    },
    {
      name: 'rejects even a request-less pod over the pod count',
      pod: {},
      pods: 3,
      code: 'Unschedulable',
      reasons: ['Too many pods'],
    },
  ])('$name', ({ pod, code, reasons, pods }) => {
    const bound = [...existing];
    for (let i = bound.length; i < (pods ?? 1); i++) bound.push(makePod({ name: `x${i}`, nodeName: 'n1' }));
    const status = nodeResourcesFit.filter(makePod({ name: 'p', ...pod }), newNodeInfo(node, bound), new CycleState());
    expect(status.code).toBe(code);
    expect(status.reasons).toEqual(reasons);
  });

  it('counts the init container peak, not the sum', () => {
    const pod = makePod({
      name: 'p',
      containers: [{ name: 'app', resources: { requests: { cpu: '500m' } } }],
      initContainers: [{ name: 'init', resources: { requests: { cpu: '1200m' } } }],
    });
    const info = newNodeInfo(node, existing);
    expect(nodeResourcesFit.filter(pod, info, new CycleState()).reasons).toEqual(['Insufficient cpu']);
  });

  it('adds the pod overhead', () => {
    const pod = makePod({ name: 'p', cpu: '900m', overhead: { cpu: '101m' } });
    expect(nodeResourcesFit.filter(pod, newNodeInfo(node, existing), new CycleState()).reasons).toEqual([
      'Insufficient cpu',
    ]);
  });
});
