import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import {
  eventPrinter,
  leasePrinter,
  namespacePrinter,
  nodePrinter,
} from '../../../../core/apiserver/tables/cluster.ts';
import { makeEvent, makeLease, makeNamespace, makeNode, type Overrides } from '../../../fixtures/objects.ts';

const NOW = new Date('2025-01-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString().replace(/\.\d+Z$/, 'Z');
const nodeCells = (overrides: Overrides) => nodePrinter.cells(makeNode(overrides) as KubeObject, NOW);

describe('nodePrinter', () => {
  it('prints a ready node with its wide columns', () => {
    const node = {
      metadata: { creationTimestamp: ago(3 * 24 * 3600_000) },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [
          { type: 'Hostname', address: 'node-1' },
          { type: 'InternalIP', address: '192.168.1.10' },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.32.0',
          osImage: 'Ubuntu 24.04',
          kernelVersion: '6.8.0',
          containerRuntimeVersion: 'docker://27.0.0',
        },
      },
    };
    expect(nodeCells(node)).toEqual([
      'node-1',
      'Ready',
      '<none>',
      '3d',
      'v1.32.0',
      '192.168.1.10',
      '<none>',
      'Ubuntu 24.04',
      '6.8.0',
      'docker://27.0.0',
    ]);
  });

  it.each<[string, Overrides, string]>([
    ['NotReady', { status: { conditions: [{ type: 'Ready', status: 'False' }] } }, 'NotReady'],
    ['Unknown without a Ready condition', { status: { conditions: [] } }, 'Unknown'],
    [
      'Ready,SchedulingDisabled when cordoned',
      { spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      'Ready,SchedulingDisabled',
    ],
    ['Unknown,SchedulingDisabled', { spec: { unschedulable: true } }, 'Unknown,SchedulingDisabled'],
  ])('prints the status %s', (_name, overrides, want) => {
    expect(nodeCells(overrides)[1]).toBe(want);
  });

  it('collects roles from both role label styles, sorted', () => {
    const labels = {
      'node-role.kubernetes.io/worker': '',
      'node-role.kubernetes.io/control-plane': '',
      'node-role.kubernetes.io/': '',
      'kubernetes.io/role': 'edge',
    };
    expect(nodeCells({ metadata: { labels } })[2]).toBe('control-plane,edge,worker');
  });

  it('prints <unknown> for missing system info', () => {
    expect(nodeCells({}).slice(7)).toEqual(['<unknown>', '<unknown>', '<unknown>']);
  });
});

describe('namespacePrinter', () => {
  it('prints the phase and age', () => {
    const ns = makeNamespace({ metadata: { creationTimestamp: ago(45_000) }, status: { phase: 'Terminating' } });
    expect(namespacePrinter.cells(ns as KubeObject, NOW)).toEqual(['team-a', 'Terminating', '45s']);
  });
});

describe('eventPrinter', () => {
  it('prints every column, last seen first and the name last', () => {
    const ev = makeEvent({
      firstTimestamp: ago(10 * 60_000),
      lastTimestamp: ago(2 * 60_000),
      count: 4,
      involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{web}' },
      source: { component: 'kubelet', host: 'node-1' },
      message: 'Started container web\n',
    });
    expect(eventPrinter.cells(ev as KubeObject, NOW)).toEqual([
      '2m',
      'Normal',
      'Started',
      'pod/web',
      'spec.containers{web}',
      'kubelet, node-1',
      'Started container web',
      '10m',
      4,
      'web.17a',
    ]);
    expect(eventPrinter.columns.filter((c) => c.priority === 0).map((c) => c.name)).toEqual([
      'Last Seen',
      'Type',
      'Reason',
      'Object',
      'Message',
    ]);
  });

  it('falls back to eventTime, the series and the reporting controller', () => {
    const ev = makeEvent({
      count: undefined,
      eventTime: '2025-01-01T11:00:00.000000Z',
      series: { count: 7, lastObservedTime: '2025-01-01T11:59:30.000000Z' },
      reportingComponent: 'skube-scheduler',
      involvedObject: { kind: 'Node', name: undefined },
    });
    const cells = eventPrinter.cells(ev as KubeObject, NOW);
    expect([cells[0], cells[3], cells[5], cells[7], cells[8]]).toEqual(['30s', 'node', 'skube-scheduler', '60m', 7]);
  });

  it('counts a singleton event without count as 1 and uses the first time as last seen', () => {
    const ev = makeEvent({ count: undefined, firstTimestamp: ago(5000) });
    const cells = eventPrinter.cells(ev as KubeObject, NOW);
    expect([cells[0], cells[7], cells[8]]).toEqual(['5s', '5s', 1]);
  });
});

describe('leasePrinter', () => {
  it('prints the holder', () => {
    const lease = makeLease({ metadata: { creationTimestamp: ago(90 * 60_000) } });
    expect(leasePrinter.cells(lease as KubeObject, NOW)).toEqual(['node-1', 'node-1', '90m']);
  });
});
