import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContainerConfigError } from '../../../agent/kubelet/env.ts';
import { writeVolume } from '../../../agent/kubelet/volume-writer.ts';
import { containerBinds, planVolume, type VolumePlan } from '../../../agent/kubelet/volumes.ts';
import { boundPod, container } from '../../fixtures/kubelet.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const lookup = {
  configMap: (n: string) =>
    n === 'cfg'
      ? { metadata: { name: n }, data: { 'app.conf': 'x=1', other: 'y' }, binaryData: { bin: b64('\u0001') } }
      : undefined,
  secret: (n: string) => (n === 'tls' ? { metadata: { name: n }, data: { 'tls.key': b64('KEY') } } : undefined),
};
const pod = boundPod({ metadata: { labels: { app: 'web' } } });
const ctx = { hostIp: '127.0.0.2', podIp: '172.17.0.2', nodeAllocatable: { cpu: '2', memory: '1Gi' } };
const files = (p: VolumePlan) =>
  p.kind === 'files' ? p.files.map((f) => [f.path, f.data.toString(), f.mode.toString(8)]) : [];

describe('planVolume', () => {
  it('projects every configMap key (data and binaryData) with mode 0644 by default', () => {
    const p = planVolume({ name: 'c', configMap: { name: 'cfg' } }, pod, '/pods/u', lookup, ctx);
    expect(p).toMatchObject({ kind: 'files', hostPath: '/pods/u/volumes/configmap/c' });
    expect(files(p)).toEqual([
      ['app.conf', 'x=1', '644'],
      ['other', 'y', '644'],
      ['bin', '\u0001', '644'],
    ]);
  });

  it('honours defaultMode and per-item modes and paths', () => {
    const p = planVolume(
      {
        name: 's',
        secret: {
          secretName: 'tls',
          defaultMode: 0o400,
          items: [{ key: 'tls.key', path: 'keys/server.key', mode: 0o600 }],
        },
      },
      pod,
      '/pods/u',
      lookup,
      ctx,
    );
    expect(files(p)).toEqual([['keys/server.key', 'KEY', '600']]);
    const d = planVolume({ name: 's', secret: { secretName: 'tls', defaultMode: 0o440 } }, pod, '/pods/u', lookup, ctx);
    expect(files(d)).toEqual([['tls.key', 'KEY', '440']]);
  });

  it('writes downward API files', () => {
    const p = planVolume(
      {
        name: 'info',
        downwardAPI: {
          items: [
            { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } },
          ],
        },
      },
      pod,
      '/pods/u',
      lookup,
      ctx,
    );
    expect(files(p)).toEqual([
      ['labels', 'app="web"', '644'],
      ['cpu', '2', '644'],
    ]);
  });

  it.each([
    [{ name: 'x', configMap: { name: 'absent' } }, 'configmap "absent" not found'],
    [{ name: 'x', secret: { secretName: 'absent' } }, 'secret "absent" not found'],
    [{ name: 'x', configMap: { name: 'cfg', items: [{ key: 'nope', path: 'p' }] } }, 'non-existent config key: nope'],
  ])('refuses %j', (volume, message) => {
    expect(() => planVolume(volume, pod, '/p', lookup, ctx)).toThrow(ContainerConfigError);
    expect(() => planVolume(volume, pod, '/p', lookup, ctx)).toThrow(message);
  });

  it('skips missing optional sources', () => {
    expect(
      files(planVolume({ name: 'x', secret: { secretName: 'absent', optional: true } }, pod, '/p', lookup, ctx)),
    ).toEqual([]);
  });

  it('makes emptyDir and hostPath directories', () => {
    expect(planVolume({ name: 'e', emptyDir: {} }, pod, '/p', lookup, ctx)).toEqual({
      kind: 'dir',
      name: 'e',
      hostPath: '/p/volumes/empty-dir/e',
      create: true,
      mode: 0o777,
    });
    expect(
      planVolume({ name: 'h', hostPath: { path: '/data', type: 'DirectoryOrCreate' } }, pod, '/p', lookup, ctx),
    ).toMatchObject({
      kind: 'dir',
      hostPath: '/data',
      create: true,
    });
  });
});

describe('containerBinds', () => {
  it('binds mounts with subPath, projected volumes read-only', () => {
    const plans = new Map<string, VolumePlan>([
      ['data', { kind: 'dir', name: 'data', hostPath: '/p/e', create: true }],
      ['cfg', { kind: 'files', name: 'cfg', hostPath: '/p/c', files: [], readOnly: true }],
    ]);
    const c = container('app', {
      volumeMounts: [
        { name: 'data', mountPath: '/data' },
        { name: 'data', mountPath: '/logs', subPath: 'logs', readOnly: true },
        { name: 'cfg', mountPath: '/etc/app' },
      ],
    });
    expect(containerBinds(c, plans)).toEqual(['/p/e:/data', '/p/e/logs:/logs:ro', '/p/c:/etc/app:ro']);
    expect(() => containerBinds(container('x', { volumeMounts: [{ name: 'nope', mountPath: '/x' }] }), plans)).toThrow(
      'cannot find volume "nope"',
    );
  });
});

describe('writeVolume', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skube-vol-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes files with their modes despite the umask and drops stale files', () => {
    const hostPath = join(dir, 'secret');
    writeVolume({
      kind: 'files',
      name: 's',
      hostPath,
      readOnly: true,
      files: [{ path: 'old', data: Buffer.from('x'), mode: 0o644 }],
    });
    writeFileSync(join(hostPath, 'old'), 'x');
    writeVolume({
      kind: 'files',
      name: 's',
      hostPath,
      readOnly: true,
      files: [
        { path: 'key', data: Buffer.from('K'), mode: 0o400 },
        { path: 'sub/conf', data: Buffer.from('C'), mode: 0o666 },
      ],
    });
    expect(statSync(join(hostPath, 'key')).mode & 0o777).toBe(0o400);
    expect(statSync(join(hostPath, 'sub/conf')).mode & 0o777).toBe(0o666);
    expect(readFileSync(join(hostPath, 'sub/conf'), 'utf8')).toBe('C');
    expect(() => statSync(join(hostPath, 'old'))).toThrow();
  });

  it('makes emptyDir world-writable', () => {
    const hostPath = join(dir, 'empty');
    writeVolume({ kind: 'dir', name: 'e', hostPath, create: true, mode: 0o777 });
    expect(statSync(hostPath).mode & 0o777).toBe(0o777);
  });
});
