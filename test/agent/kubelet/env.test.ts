import { describe, expect, it } from 'vitest';
import {
  ContainerConfigError,
  containerEnv,
  expandCommand,
  expandVars,
  fieldPathValue,
  resourceFieldValue,
} from '../../../agent/kubelet/env.ts';
import { boundPod, container } from '../../fixtures/kubelet.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const lookup = {
  configMap: (n: string) =>
    n === 'cfg' ? { metadata: { name: 'cfg' }, data: { MODE: 'fast', LEVEL: '3' } } : undefined,
  secret: (n: string) =>
    n === 'creds' ? { metadata: { name: 'creds' }, data: { PASSWORD: b64('s3cret') } } : undefined,
};
const alloc = { cpu: '2', memory: '4Gi' };
const pod = boundPod({ metadata: { labels: { app: 'web', tier: 'front' }, annotations: { a: 'b' } } });
const ctx = { pod, hostIp: '127.0.0.2', podIp: '172.17.0.5', nodeAllocatable: alloc };

describe('expandVars', () => {
  it.each([
    ['$(A)-$(B)', 'one-$(B)'],
    ['$$(A)', '$(A)'],
    ['cost $5', 'cost $5'],
    ['$(A', '$(A'],
    ['x$', 'x$'],
  ])('%s becomes %s', (input, out) => expect(expandVars(input, { A: 'one' })).toBe(out));
});

describe('fieldPathValue', () => {
  it.each([
    ['metadata.name', 'web'],
    ['metadata.namespace', 'default'],
    ['metadata.uid', 'uid-1'],
    ["metadata.labels['tier']", 'front'],
    ["metadata.annotations['a']", 'b'],
    ['metadata.labels', 'app="web"\ntier="front"'],
    ['spec.nodeName', 'node-a'],
    ['status.hostIP', '127.0.0.2'],
    ['status.podIP', '172.17.0.5'],
  ])('%s is %j', (path, value) => expect(fieldPathValue(pod, path, '127.0.0.2', '172.17.0.5')).toBe(value));

  it('refuses unknown paths', () => {
    expect(() => fieldPathValue(pod, 'spec.nope', '', '')).toThrow(ContainerConfigError);
  });
});

describe('resourceFieldValue', () => {
  const c = container('app', { resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { memory: '128Mi' } } });
  it.each([
    ['requests.cpu', undefined, '1'],
    ['requests.cpu', '1m', '250'],
    ['limits.cpu', undefined, '2'],
    ['limits.memory', '1Mi', '128'],
    ['requests.memory', undefined, String(64 * 1024 * 1024)],
    ['limits.ephemeral-storage', undefined, '0'],
  ])('%s with divisor %s is %s', (res, div, value) => expect(resourceFieldValue(c, res, div, alloc)).toBe(value));
});

describe('containerEnv', () => {
  it('layers service env, envFrom and env in order, later wins, with $(VAR) against earlier values', () => {
    const c = container('app', {
      envFrom: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'creds' }, prefix: 'DB_' }],
      env: [
        { name: 'MODE', value: 'slow' },
        { name: 'URL', value: 'http://$(SVC_HOST):$(LEVEL)/$(MISSING)' },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
        { name: 'L', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'LEVEL' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'absent', key: 'x', optional: true } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Gi' } } },
      ],
    });
    const env = containerEnv(c, { ...ctx, serviceEnv: { SVC_HOST: '127.96.0.9', MODE: 'svc' } }, lookup);
    expect(Object.fromEntries(env)).toEqual({
      SVC_HOST: '127.96.0.9',
      MODE: 'slow',
      LEVEL: '3',
      DB_PASSWORD: 's3cret',
      URL: 'http://127.96.0.9:3/$(MISSING)',
      POD: 'web',
      PW: 's3cret',
      L: '3',
      MEM: '4',
    });
    expect(expandCommand(['echo', '$(MODE)', '$$(MODE)'], env)).toEqual(['echo', 'slow', '$(MODE)']);
  });

  it.each([
    [
      { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'absent', key: 'x' } } }] },
      'configmap "absent" not found',
    ],
    [
      { env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }] },
      "couldn't find key nope in ConfigMap default/cfg",
    ],
    [{ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'absent', key: 'x' } } }] }, 'secret "absent" not found'],
    [{ envFrom: [{ secretRef: { name: 'absent' } }] }, 'secret "absent" not found'],
  ])('fails with CreateContainerConfigError text for %j', (extra, message) => {
    expect(() => containerEnv(container('app', extra), ctx, lookup)).toThrow(message);
  });
});
