/**
 * Runs the real `kubectl get` against a throwaway server that answers the
 * Table Accept header with `toTable`, to prove kubectl decodes and prints
 * the Tables (wide columns, namespaces and labels from the row objects,
 * header-less watch events).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findResource } from '../../../../core/api/resources.ts';
import { toTable } from '../../../../core/apiserver/tables/index.ts';
import { makeDeployment, makePod } from '../../../fixtures/objects.ts';
import { type RecordingApiServer, startRecordingApiServer } from '../../../support/recording-api-server.ts';

const pods = findResource('', 'v1', 'pods')!;
const deployments = findResource('apps', 'v1', 'deployments')!;
const TABLE_ACCEPT = /as=Table;v=v1;g=meta\.k8s\.io/;
/** Creation times relative to the real clock, since kubectl prints the server's ages as they are. */
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

const runningPod = (phase = 'Running', rv = '7') =>
  makePod({
    metadata: { name: 'web-1', uid: 'uid-web-1', resourceVersion: rv, creationTimestamp: minutesAgo(5) },
    spec: { nodeName: 'node-1' },
    status: {
      phase,
      podIP: '10.0.0.5',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'web', ready: true, restartCount: 0, image: 'nginx:1.27', imageID: '', state: { running: {} } },
      ],
    },
  }) as KubeObject;

let server: RecordingApiServer;

beforeAll(async () => {
  server = await startRecordingApiServer();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
});

const lines = (text: string) => text.trimEnd().split('\n');
const words = (line: string) => line.trim().split(/\s{2,}/);

describe('kubectl get with server-side Tables', () => {
  it('prints the wide pod columns and a row', async () => {
    server.handle(() => ({
      status: 200,
      body: toTable(pods, [runningPod()], { now: new Date(), resourceVersion: '9' }),
    }));
    const { code, stdout, stderr } = await server.kubectl(['get', 'pods', '-o', 'wide']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(server.requests[0].headers.accept).toMatch(TABLE_ACCEPT);
    const [header, row] = lines(stdout);
    expect(words(header)).toEqual([
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(words(row)).toEqual(['web-1', '1/1', 'Running', '0', '5m', '10.0.0.5', 'node-1', '<none>', '<none>']);
  });

  it('hides the wide columns without -o wide', async () => {
    server.handle(() => ({
      status: 200,
      body: toTable(pods, [runningPod()], { now: new Date(), resourceVersion: '9' }),
    }));
    const { stdout } = await server.kubectl(['get', 'pods']);
    expect(words(lines(stdout)[0])).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  });

  it('takes the namespace and labels for -A --show-labels from the row objects', async () => {
    server.handle(() => ({
      status: 200,
      body: toTable(pods, [runningPod()], { now: new Date(), resourceVersion: '9' }),
    }));
    const { code, stdout } = await server.kubectl(['get', 'pods', '-A', '--show-labels']);
    expect(code).toBe(0);
    expect(server.requests[0].path).toBe('/api/v1/pods');
    const [header, row] = lines(stdout).map(words);
    expect(header[0]).toBe('NAMESPACE');
    expect(header.at(-1)).toBe('LABELS');
    expect(row[0]).toBe('default');
    expect(row.at(-1)).toBe('app=web');
  });

  it('prints deployments', async () => {
    const d = makeDeployment({
      metadata: { resourceVersion: '3', creationTimestamp: minutesAgo(90) },
      spec: { replicas: 3 },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    }) as KubeObject;
    server.handle(() => ({ status: 200, body: toTable(deployments, [d], { now: new Date(), resourceVersion: '3' }) }));
    const { code, stdout } = await server.kubectl(['get', 'deployments']);
    expect(code).toBe(0);
    expect(lines(stdout).map(words)).toEqual([
      ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
      ['web', '2/3', '3', '2', '90m'],
    ]);
  });

  it('prints watch events whose Tables carry no column definitions after the first', async () => {
    server.handle((req) => {
      if (req.query.get('watch') !== 'true') {
        return {
          status: 200,
          body: toTable(pods, [runningPod('Pending', '7')], { now: new Date(), resourceVersion: '7' }),
        };
      }
      const event = (obj: KubeObject, noHeaders: boolean) =>
        `${JSON.stringify({ type: 'MODIFIED', object: toTable(pods, [obj], { now: new Date(), noHeaders }) })}\n`;
      // Closing the stream ends `kubectl get -w` cleanly.
      return { status: 200, raw: event(runningPod('Running', '8'), false) + event(runningPod('Succeeded', '9'), true) };
    });
    const { code, stdout, stderr } = await server.kubectl(['get', 'pods', '-w']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(server.requests[1].query.get('resourceVersion')).toBe('7');
    expect(lines(stdout).map((l) => words(l)[2])).toEqual(['STATUS', 'Pending', 'Running', 'Succeeded']);
  });
});
