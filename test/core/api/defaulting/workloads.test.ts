import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../../../core/api/defaulting/index.ts';
import { findByKind } from '../../../../core/api/resources.ts';
import { makeDaemonSet, makeDeployment, makeReplicaSet, makeReplicationController } from '../../../fixtures/objects.ts';

const info = (group: string, kind: string) => findByKind(group, kind)!;

describe('applyDefaults (workloads)', () => {
  it('fills Deployment defaults', () => {
    const spec = (applyDefaults(info('apps', 'Deployment'), makeDeployment()) as any).spec;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    expect(spec.revisionHistoryLimit).toBe(10);
    expect(spec.progressDeadlineSeconds).toBe(600);
  });

  it('keeps replicas 0 and a Recreate strategy without rollingUpdate', () => {
    const d = makeDeployment({ spec: { replicas: 0, strategy: { type: 'Recreate' }, revisionHistoryLimit: 0 } });
    const spec = (applyDefaults(info('apps', 'Deployment'), d) as any).spec;
    expect(spec.replicas).toBe(0);
    expect(spec.strategy).toEqual({ type: 'Recreate' });
    expect(spec.revisionHistoryLimit).toBe(0);
  });

  it('keeps a partially set rollingUpdate and fills the rest', () => {
    const d = makeDeployment({ spec: { strategy: { rollingUpdate: { maxSurge: 0 } } } });
    const rolling = (applyDefaults(info('apps', 'Deployment'), d) as any).spec.strategy.rollingUpdate;
    expect(rolling).toEqual({ maxSurge: 0, maxUnavailable: '25%' });
  });

  it('applies PodSpec defaults to templates but not the Pod-only ones', () => {
    const template = (applyDefaults(info('apps', 'Deployment'), makeDeployment()) as any).spec.template.spec;
    expect(template.restartPolicy).toBe('Always');
    expect(template.terminationGracePeriodSeconds).toBe(30);
    expect(template.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(template.enableServiceLinks).toBeUndefined();
    expect(template.priority).toBeUndefined();
  });

  it('defaults ReplicaSet replicas and template', () => {
    const spec = (applyDefaults(info('apps', 'ReplicaSet'), makeReplicaSet()) as any).spec;
    expect(spec.replicas).toBe(1);
    expect(spec.template.spec.dnsPolicy).toBe('ClusterFirst');
  });

  it('fills DaemonSet defaults', () => {
    const spec = (applyDefaults(info('apps', 'DaemonSet'), makeDaemonSet()) as any).spec;
    expect(spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(spec.revisionHistoryLimit).toBe(10);
    expect(spec.template.spec.schedulerName).toBe('default-scheduler');
  });

  it('leaves an OnDelete DaemonSet strategy alone', () => {
    const ds = makeDaemonSet({ spec: { updateStrategy: { type: 'OnDelete' } } });
    expect((applyDefaults(info('apps', 'DaemonSet'), ds) as any).spec.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  it('defaults a ReplicationController selector and labels from its template', () => {
    const rc = makeReplicationController({ spec: { selector: undefined } });
    const out = applyDefaults(info('', 'ReplicationController'), rc) as any;
    expect(out.spec.selector).toEqual({ app: 'web' });
    expect(out.metadata.labels).toEqual({ app: 'web' });
    expect(out.spec.replicas).toBe(1);
  });

  it('keeps a ReplicationController selector and labels that are set', () => {
    const rc = makeReplicationController({ metadata: { labels: { tier: 'x' } }, spec: { selector: { app: 'web' } } });
    const out = applyDefaults(info('', 'ReplicationController'), rc) as any;
    expect(out.metadata.labels).toEqual({ tier: 'x' });
    expect(out.spec.selector).toEqual({ app: 'web' });
  });
});
