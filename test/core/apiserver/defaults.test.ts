/**
 * Defaults applied through the API (what a client reads back after a
 * create): pod spec and container defaults, workload strategy and replicas,
 * and Service type and port defaults.
 */
import { describe, expect, it } from 'vitest';
import {
  makeContainer,
  makeDaemonSet,
  makeDeployment,
  makePod,
  makeReplicaSet,
  makeReplicationController,
  makeService,
} from '../../fixtures/objects.ts';
import { useApiHarness } from '../../support/api-harness.ts';

const PODS = '/api/v1/namespaces/default/pods';

describe('API handler defaults', () => {
  const api = useApiHarness();

  it('fills Kubernetes pod defaults on create', async () => {
    const pod = await api().ok('POST', PODS, { body: makePod() });
    expect(pod.spec).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
    });
    expect(pod.spec.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  it.each([
    ['nginx:1.27', 'IfNotPresent'],
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['registry.local:5000/nginx', 'Always'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
  ])('defaults imagePullPolicy of %s to %s', async (image, policy) => {
    const pod = await api().ok('POST', PODS, { body: makePod({ spec: { containers: [makeContainer({ image })] } }) });
    expect(pod.spec.containers[0].imagePullPolicy).toBe(policy);
  });

  it('keeps values the client set instead of defaulting them', async () => {
    const body = makePod({
      spec: {
        restartPolicy: 'Never',
        dnsPolicy: 'Default',
        terminationGracePeriodSeconds: 5,
        containers: [makeContainer({ imagePullPolicy: 'Never' })],
      },
    });
    const pod = await api().ok('POST', PODS, { body });
    expect(pod.spec).toMatchObject({ restartPolicy: 'Never', dnsPolicy: 'Default', terminationGracePeriodSeconds: 5 });
    expect(pod.spec.containers[0].imagePullPolicy).toBe('Never');
  });

  it('defaults a Deployment strategy, history and replicas', async () => {
    const deploy = await api().ok('POST', '/apis/apps/v1/namespaces/default/deployments', { body: makeDeployment() });
    expect(deploy.spec).toMatchObject({
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    expect(deploy.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
  });

  it('keeps Recreate without adding rollingUpdate', async () => {
    const deploy = await api().ok('POST', '/apis/apps/v1/namespaces/default/deployments', {
      body: makeDeployment({ spec: { strategy: { type: 'Recreate' }, replicas: 0 } }),
    });
    expect(deploy.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deploy.spec.replicas).toBe(0);
  });

  it.each([
    ['replicasets', '/apis/apps/v1/namespaces/default/replicasets', makeReplicaSet],
    ['replicationcontrollers', '/api/v1/namespaces/default/replicationcontrollers', makeReplicationController],
  ])('defaults %s replicas to 1', async (_, path, make) => {
    const obj = await api().ok('POST', path, { body: make() });
    expect(obj.spec.replicas).toBe(1);
  });

  it('defaults a DaemonSet update strategy', async () => {
    const ds = await api().ok('POST', '/apis/apps/v1/namespaces/default/daemonsets', { body: makeDaemonSet() });
    expect(ds.spec.updateStrategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
  });

  it('defaults a Service type, session affinity, port protocol and targetPort', async () => {
    const svc = await api().ok('POST', '/api/v1/namespaces/default/services', {
      body: makeService({ spec: { ports: [{ port: 80 }] } }),
    });
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    expect(svc.spec.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    expect(svc.spec.clusterIPs).toEqual([svc.spec.clusterIP]);
  });
});
