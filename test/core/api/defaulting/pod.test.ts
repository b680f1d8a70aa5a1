import { describe, expect, it } from 'vitest';
import { applyDefaults, imageTag } from '../../../../core/api/defaulting/index.ts';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findByKind } from '../../../../core/api/resources.ts';
import { makeContainer, makePod } from '../../../fixtures/objects.ts';

const POD = findByKind('', 'Pod')!;
const defaulted = (pod: KubeObject) => applyDefaults(POD, pod) as any;

describe('applyDefaults (Pod)', () => {
  it.each([
    ['restartPolicy', 'Always'],
    ['dnsPolicy', 'ClusterFirst'],
    ['terminationGracePeriodSeconds', 30],
    ['schedulerName', 'default-scheduler'],
    ['securityContext', {}],
    ['enableServiceLinks', true],
    ['preemptionPolicy', 'PreemptLowerPriority'],
    ['priority', 0],
  ])('fills spec.%s when it is missing', (key, value) => {
    expect(defaulted(makePod()).spec[key]).toEqual(value);
  });

  it.each([
    ['terminationMessagePath', '/dev/termination-log'],
    ['terminationMessagePolicy', 'File'],
    ['imagePullPolicy', 'IfNotPresent'],
    ['resources', {}],
  ])('fills containers[*].%s when it is missing', (key, value) => {
    const pod = makePod({ spec: { initContainers: [makeContainer({ name: 'init' })] } });
    const spec = defaulted(pod).spec;
    expect(spec.containers[0][key]).toEqual(value);
    expect(spec.initContainers[0][key]).toEqual(value);
  });

  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['127.0.0.1:5000/app', 'Always'],
    ['127.0.0.1:5000/app:v1', 'IfNotPresent'],
    ['app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
    ['app:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'Always'],
  ])('defaults imagePullPolicy for image %s to %s', (image, policy) => {
    const pod = makePod({ spec: { containers: [makeContainer({ image })] } });
    expect(defaulted(pod).spec.containers[0].imagePullPolicy).toBe(policy);
  });

  it('reads the tag after the last slash only', () => {
    expect(imageTag('registry:5000/team/app')).toBe('latest');
    expect(imageTag('registry:5000/team/app:2')).toBe('2');
  });

  it('keeps values that are set, including explicit zeros and false', () => {
    const pod = makePod({
      spec: {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
        schedulerName: 'mine',
        containers: [makeContainer({ imagePullPolicy: 'Never', terminationMessagePolicy: 'FallbackToLogsOnError' })],
      },
    });
    const spec = defaulted(pod).spec;
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.terminationGracePeriodSeconds).toBe(0);
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.schedulerName).toBe('mine');
    expect(spec.containers[0].imagePullPolicy).toBe('Never');
    expect(spec.containers[0].terminationMessagePolicy).toBe('FallbackToLogsOnError');
  });

  it('replaces empty strings in plain string fields, as Go cannot tell them from unset', () => {
    const pod = makePod({ spec: { restartPolicy: '', containers: [makeContainer({ imagePullPolicy: '' })] } });
    const spec = defaulted(pod).spec;
    expect(spec.restartPolicy).toBe('Always');
    expect(spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  it('fills probe defaults and replaces zeros in probe thresholds', () => {
    const probe = { httpGet: { port: 8080 }, timeoutSeconds: 0, failureThreshold: 5 };
    const pod = makePod({
      spec: { containers: [makeContainer({ livenessProbe: probe, readinessProbe: { grpc: { port: 9000 } } })] },
    });
    const c = defaulted(pod).spec.containers[0];
    expect(c.livenessProbe).toEqual({
      httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 5,
    });
    expect(c.readinessProbe.grpc).toEqual({ port: 9000, service: '' });
  });

  it('defaults lifecycle httpGet handlers', () => {
    const pod = makePod({
      spec: { containers: [makeContainer({ lifecycle: { preStop: { httpGet: { port: 80, path: '/quit' } } } })] },
    });
    expect(defaulted(pod).spec.containers[0].lifecycle.preStop.httpGet).toEqual({
      port: 80,
      path: '/quit',
      scheme: 'HTTP',
    });
  });

  it('defaults container port protocols and env fieldRef apiVersion', () => {
    const pod = makePod({
      spec: {
        containers: [
          makeContainer({
            ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }],
            env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          }),
        ],
      },
    });
    const c = defaulted(pod).spec.containers[0];
    expect(c.ports.map((p: any) => p.protocol)).toEqual(['TCP', 'UDP']);
    expect(c.env[0].valueFrom.fieldRef).toEqual({ apiVersion: 'v1', fieldPath: 'metadata.name' });
  });

  it('defaults volume modes and sources but keeps an explicit mode of 0', () => {
    const pod = makePod({
      spec: {
        volumes: [
          { name: 'cm', configMap: { name: 'settings' } },
          { name: 'sec', secret: { secretName: 'creds', defaultMode: 0 } },
          { name: 'down', downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
          { name: 'host', hostPath: { path: '/data' } },
          { name: 'scratch' },
        ],
      },
    });
    const [cm, sec, down, host, scratch] = defaulted(pod).spec.volumes;
    expect(cm.configMap.defaultMode).toBe(420);
    expect(sec.secret.defaultMode).toBe(0);
    expect(down.downwardAPI.defaultMode).toBe(420);
    expect(down.downwardAPI.items[0].fieldRef.apiVersion).toBe('v1');
    expect(host.hostPath.type).toBe('');
    expect(scratch.emptyDir).toEqual({});
  });

  it('copies limits into missing requests', () => {
    const resources = { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } };
    const pod = makePod({ spec: { containers: [makeContainer({ resources })] } });
    expect(defaulted(pod).spec.containers[0].resources.requests).toEqual({ cpu: '250m', memory: '128Mi' });
  });

  it('sets hostPort to containerPort under hostNetwork', () => {
    const pod = makePod({
      spec: { hostNetwork: true, containers: [makeContainer({ ports: [{ containerPort: 8080 }] })] },
    });
    expect(defaulted(pod).spec.containers[0].ports[0].hostPort).toBe(8080);
  });

  it('gives built-in priority classes their priority and leaves others to admission', () => {
    expect(defaulted(makePod({ spec: { priorityClassName: 'system-node-critical' } })).spec.priority).toBe(2000001000);
    expect(defaulted(makePod({ spec: { priorityClassName: 'batch' } })).spec.priority).toBeUndefined();
  });

  it('never mutates its input and is idempotent', () => {
    const pod = makePod();
    const before = structuredClone(pod);
    const once = applyDefaults(POD, pod);
    expect(pod).toEqual(before);
    expect(applyDefaults(POD, once)).toEqual(once);
  });
});
