import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import {
  daemonSetPrinter,
  deploymentPrinter,
  replicaSetPrinter,
  replicationControllerPrinter,
} from '../../../../core/apiserver/tables/workloads.ts';
import {
  makeContainer,
  makeDaemonSet,
  makeDeployment,
  makeReplicaSet,
  makeReplicationController,
} from '../../../fixtures/objects.ts';

const NOW = new Date('2025-01-01T12:00:00Z');
const created = { creationTimestamp: '2025-01-01T07:00:00Z' };
const twoContainers = {
  template: {
    spec: { containers: [makeContainer({ name: 'web' }), makeContainer({ name: 'log', image: 'fluentd:1' })] },
  },
};

describe('deploymentPrinter', () => {
  it('prints ready/desired, up-to-date, available, age and the wide columns', () => {
    const d = makeDeployment({
      metadata: created,
      spec: { replicas: 3, ...twoContainers },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    }) as KubeObject;
    expect(deploymentPrinter.cells(d, NOW)).toEqual([
      'web',
      '2/3',
      3,
      2,
      '5h',
      'web,log',
      'nginx:1.27,fluentd:1',
      'app=web',
    ]);
    expect(deploymentPrinter.columns.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Up-to-date:0',
      'Available:0',
      'Age:0',
      'Containers:1',
      'Images:1',
      'Selector:1',
    ]);
  });

  it('counts a deployment without status as 0 ready of the defaulted 1 replica', () => {
    const cells = deploymentPrinter.cells(makeDeployment() as KubeObject, NOW);
    expect(cells.slice(1, 4)).toEqual(['0/1', 0, 0]);
  });

  it('prints <invalid> for an invalid selector', () => {
    const d = makeDeployment({ spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } } });
    expect(deploymentPrinter.cells(d as KubeObject, NOW)[7]).toBe('<invalid>');
  });
});

describe('replicaSetPrinter', () => {
  it('prints desired, current, ready as integers and the selector', () => {
    const rs = makeReplicaSet({
      metadata: created,
      spec: { replicas: 3 },
      status: { replicas: 3, readyReplicas: 1 },
    }) as KubeObject;
    expect(replicaSetPrinter.cells(rs, NOW)).toEqual(['web', 3, 3, 1, '5h', 'web', 'nginx:1.27', 'app=web']);
    expect(replicaSetPrinter.columns.find((c) => c.name === 'Desired')?.type).toBe('integer');
  });
});

describe('replicationControllerPrinter', () => {
  it('prints the map selector as labels', () => {
    const rc = makeReplicationController({
      metadata: created,
      spec: { replicas: 2 },
      status: { replicas: 2, readyReplicas: 2 },
    }) as KubeObject;
    expect(replicationControllerPrinter.cells(rc, NOW)).toEqual(['web', 2, 2, 2, '5h', 'web', 'nginx:1.27', 'app=web']);
  });
});

describe('daemonSetPrinter', () => {
  it('prints the scheduling counts, node selector and wide columns', () => {
    const ds = makeDaemonSet({
      metadata: created,
      spec: { template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
        numberMisscheduled: 0,
      },
    }) as KubeObject;
    expect(daemonSetPrinter.cells(ds, NOW)).toEqual([
      'agent',
      3,
      3,
      2,
      3,
      2,
      'kubernetes.io/os=linux',
      '5h',
      'web',
      'nginx:1.27',
      'app=agent',
    ]);
    expect(daemonSetPrinter.columns.map((c) => c.name)).toEqual([
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Up-to-date',
      'Available',
      'Node Selector',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
  });

  it('prints <none> without a node selector', () => {
    expect(daemonSetPrinter.cells(makeDaemonSet() as KubeObject, NOW)[6]).toBe('<none>');
  });
});
