import { describe, expect, it } from 'vitest';
import {
  decidePull,
  defaultPullPolicy,
  imageTag,
  pullAuthFor,
  registryHost,
} from '../../../agent/kubelet/pull-policy.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('pull policy', () => {
  it.each([
    ['busybox', 'latest', 'Always'],
    ['busybox:latest', 'latest', 'Always'],
    ['busybox:1.36', '1.36', 'IfNotPresent'],
    ['127.0.0.1:5000/x/busybox', 'latest', 'Always'],
    ['127.0.0.1:5000/x/busybox:v1', 'v1', 'IfNotPresent'],
    ['busybox@sha256:abcd', undefined, 'IfNotPresent'],
  ])('%s has tag %s and default policy %s', (image, tag, policy) => {
    expect(imageTag(image)).toBe(tag);
    expect(defaultPullPolicy(image)).toBe(policy);
  });

  it.each([
    ['Always', true, 'pull'],
    ['Always', false, 'pull'],
    ['IfNotPresent', true, 'use-local'],
    ['IfNotPresent', false, 'pull'],
    ['Never', true, 'use-local'],
    ['Never', false, 'never-pull-missing'],
    [undefined, true, 'pull'],
  ])('policy %s with image present=%s decides %s', (policy, present, decision) => {
    expect(decidePull('busybox:latest', policy, present)).toBe(decision);
  });
});

describe('pullAuthFor', () => {
  it.each([
    ['busybox', 'docker.io'],
    ['library/busybox', 'docker.io'],
    ['ghcr.io/a/b:1', 'ghcr.io'],
    ['127.0.0.1:5000/a', '127.0.0.1:5000'],
    ['localhost/a', 'localhost'],
  ])('%s lives on %s', (image, host) => expect(registryHost(image)).toBe(host));

  it('finds username/password or auth for the image registry in dockerconfigjson secrets', () => {
    const secret = (auths: object) => ({
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
    });
    const secrets = [
      secret({ 'other.io': { username: 'x', password: 'y' } }),
      secret({ 'https://index.docker.io/v1/': { auth: b64('hub:pw:with:colons') } }),
      secret({ '127.0.0.1:5000': { username: 'u', password: 'p' } }),
    ];
    expect(pullAuthFor('busybox', secrets)).toMatchObject({ username: 'hub', password: 'pw:with:colons' });
    expect(pullAuthFor('127.0.0.1:5000/a:1', secrets)).toMatchObject({ username: 'u', password: 'p' });
    expect(pullAuthFor('quay.io/a', secrets)).toBeUndefined();
  });

  it('skips malformed secrets', () => {
    expect(pullAuthFor('busybox', [{ data: { '.dockerconfigjson': b64('{nope') } }, {}])).toBeUndefined();
  });
});
