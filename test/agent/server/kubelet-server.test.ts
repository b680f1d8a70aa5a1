/**
 * The kubelet server against real Docker containers labelled as the kubelet
 * labels them: container logs (tail, timestamps, limitBytes, follow until the
 * container stops, previous attempt) and exec over WebSocket (v5 and v4,
 * output channels, exit status, stdin with the v5 close frame, TTY), and
 * that only the API server's token is let in.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { digestAuthenticator } from '../../../agent/server/auth.ts';
import { Channel } from '../../../agent/server/channel-protocol.ts';
import { LABELS } from '../../../agent/server/containers.ts';
import { createKubeletClient } from '../../../agent/server/kubelet-client.ts';
import { type KubeletServer, startKubeletServer } from '../../../agent/server/kubelet-server.ts';
import { parsePodLogOptions } from '../../../core/apiserver/connect.ts';
import { tokenDigest } from '../../../core/apiserver/node-tokens.ts';
import { dockerForTests, TEST_IMAGES } from '../../support/docker.ts';

const env = await dockerForTests();
const NODE = `kubelet-test-${randomBytes(3).toString('hex')}`;
const TOKEN = randomBytes(24).toString('base64url');

async function runContainer(
  docker: Docker,
  pod: string,
  container: string,
  cmd: string,
  restartCount = 0,
  tty = false,
) {
  const c = await docker.createContainer({
    Image: TEST_IMAGES.local,
    Cmd: ['sh', '-c', cmd],
    Tty: tty,
    OpenStdin: false,
    Labels: {
      [LABELS.node]: NODE,
      [LABELS.namespace]: 'default',
      [LABELS.pod]: pod,
      [LABELS.uid]: `uid-${pod}`,
      [LABELS.container]: container,
      [LABELS.restartCount]: String(restartCount),
    },
  });
  await c.start();
  return c;
}

/** GETs a kubelet path; resolves with status and the whole body. */
function get(server: KubeletServer, path: string, token = TOKEN): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        rejectUnauthorized: false,
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface ExecResult {
  protocol: string;
  out: Record<number, string>;
  status?: { status: string; reason?: string; details?: { causes?: { reason: string; message: string }[] } };
}

/** Runs an exec over WebSocket, sending `input` frames once open; resolves when the server closes. */
function exec(server: KubeletServer, path: string, protocols: string[], input: Buffer[] = []): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${server.port}${path}`, protocols, {
      rejectUnauthorized: false,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const out: Record<number, string> = {};
    ws.on('open', () => {
      for (const frame of input) ws.send(frame);
    });
    ws.on('message', (m: Buffer) => {
      out[m[0]] = (out[m[0]] ?? '') + m.subarray(1).toString('utf8');
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('close', () =>
      resolve({ protocol: ws.protocol, out, status: out[Channel.error] ? JSON.parse(out[Channel.error]) : undefined }),
    );
  });
}

const waitFor = async (check: () => Promise<boolean>, ms = 30_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe.skipIf('skip' in env)('kubelet server', () => {
  const docker = (env as { docker: Docker }).docker;
  let server: KubeletServer;
  const containers: Docker.Container[] = [];

  beforeAll(async () => {
    server = await startKubeletServer({
      nodeIp: '127.0.0.1',
      port: 0,
      docker,
      nodeName: NODE,
      authenticate: digestAuthenticator(async () => tokenDigest(TOKEN)),
    });
    containers.push(
      await runContainer(
        docker,
        'web',
        'app',
        'echo one; sleep 0.3; echo two >&2; sleep 0.3; echo three; exec sleep 3600',
      ),
      await runContainer(docker, 'crashy', 'app', 'echo first attempt; exit 1', 0),
    );
    await waitFor(async () => !(await containers[1].inspect()).State.Running);
    containers.push(
      await runContainer(docker, 'crashy', 'app', 'echo second attempt; exec sleep 3600', 1),
      await runContainer(docker, 'term', 'app', 'exec sleep 3600', 0, true),
    );
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await Promise.all(containers.map((c) => c.remove({ force: true }).catch(() => {})));
  });

  it('serves logs with stdout and stderr merged, tail, timestamps and limitBytes', async () => {
    await waitFor(async () => (await get(server, '/containerLogs/default/web/app')).body.includes('three'));
    expect((await get(server, '/containerLogs/default/web/app')).body).toBe('one\ntwo\nthree\n');
    expect((await get(server, '/containerLogs/default/web/app?tailLines=1')).body).toBe('three\n');
    expect((await get(server, '/containerLogs/default/web/app?limitBytes=6')).body).toBe('one\ntw');
    const stamped = (await get(server, '/containerLogs/default/web/app?timestamps=true&tailLines=1')).body;
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z three\n$/);
    expect((await get(server, '/containerLogs/default/web/app?sinceSeconds=3600')).body).toBe('one\ntwo\nthree\n');
  });

  it('serves the previous attempt with previous=true and says when there is none', async () => {
    expect((await get(server, '/containerLogs/default/crashy/app')).body).toBe('second attempt\n');
    expect((await get(server, '/containerLogs/default/crashy/app?previous=true')).body).toBe('first attempt\n');
    const none = await get(server, '/containerLogs/default/web/app?previous=true');
    expect(none.status).toBe(400);
    expect(JSON.parse(none.body).message).toBe('previous terminated container "app" in pod "web" not found');
  });

  it('streams a large log whole and in order (many Docker frames per chunk)', async () => {
    const c = await runContainer(docker, 'big', 'app', 'seq 1 60000');
    containers.push(c);
    await waitFor(async () => !(await c.inspect()).State.Running, 60_000);
    const lines = (await get(server, '/containerLogs/default/big/app')).body.split('\n');
    expect(lines).toEqual([...Array.from({ length: 60_000 }, (_, i) => String(i + 1)), '']);
    expect((await get(server, '/containerLogs/default/big/app?tailLines=2')).body).toBe('59999\n60000\n');
  });

  it('follows a log until the container stops', async () => {
    const c = await runContainer(docker, 'follow', 'app', 'echo start; sleep 2; echo end');
    containers.push(c);
    const res = await get(server, '/containerLogs/default/follow/app?follow=true');
    expect(res.body).toBe('start\nend\n');
  });

  it('refuses requests without the API server token and unknown paths or containers', async () => {
    expect((await get(server, '/containerLogs/default/web/app', 'wrong')).status).toBe(401);
    expect((await get(server, '/containerLogs/default/web/nope')).status).toBe(404);
    expect((await get(server, '/pods')).status).toBe(404);
    const open = await startKubeletServer({ nodeIp: '127.0.0.1', port: 0, docker, nodeName: NODE });
    try {
      expect((await get(open, '/containerLogs/default/web/app')).status).toBe(401);
    } finally {
      await open.close();
    }
  });

  it('is reached by the API server’s client, pinned to its certificate when the Node publishes it', async () => {
    const client = createKubeletClient({ token: TOKEN });
    const pod = { metadata: { namespace: 'default', name: 'crashy', uid: 'uid-crashy' } };
    const target = (pin?: string) => ({
      pod,
      container: 'app',
      kubelet: { nodeName: NODE, host: '127.0.0.1', port: server.port, certificateSha256: pin },
    });
    const read = async (pin: string | undefined, query: string) => {
      const res = await client.containerLogs(target(pin), parsePodLogOptions(new URLSearchParams(query), 'app'));
      let text = '';
      for await (const chunk of res.stream ?? []) text += chunk;
      return text;
    };
    expect(server.certificateSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await read(server.certificateSha256, '')).toBe('second attempt\n');
    expect(await read(undefined, 'previous=true')).toBe('first attempt\n');
    await expect(read('00'.repeat(32), '')).rejects.toThrow('presented a certificate that does not match its Node');
    const missing = { ...target(), container: 'none' };
    await expect(
      client.containerLogs(missing, parsePodLogOptions(new URLSearchParams(), 'none')),
    ).rejects.toMatchObject({
      code: 404,
    });
  });

  it('execs over v5 with separate stdout/stderr and a Success status', async () => {
    const r = await exec(
      server,
      '/exec/default/web/app?command=sh&command=-c&command=echo%20out%3B%20echo%20err%20%3E%262&stdout=true&stderr=true',
      ['v5.channel.k8s.io'],
    );
    expect(r.protocol).toBe('v5.channel.k8s.io');
    expect(r.out[Channel.stdout]).toBe('out\n');
    expect(r.out[Channel.stderr]).toBe('err\n');
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
  });

  it('reports a non-zero exit code as NonZeroExitCode over v4', async () => {
    const r = await exec(server, '/exec/default/web/app?command=sh&command=-c&command=exit%207&stdout=true', [
      'v4.channel.k8s.io',
    ]);
    expect(r.protocol).toBe('v4.channel.k8s.io');
    expect(r.status?.reason).toBe('NonZeroExitCode');
    expect(r.status?.details?.causes).toEqual([{ reason: 'ExitCode', message: '7' }]);
  });

  it('feeds stdin and ends it with the v5 close frame', async () => {
    const r = await exec(
      server,
      '/exec/default/web/app?command=cat&stdin=true&stdout=true',
      ['v5.channel.k8s.io'],
      [Buffer.from([Channel.stdin, ...Buffer.from('hello\n')]), Buffer.from([Channel.close, Channel.stdin])],
    );
    expect(r.out[Channel.stdout]).toBe('hello\n');
    expect(r.status?.status).toBe('Success');
  });

  it('runs with a TTY (output on stdout) and accepts a resize', async () => {
    const r = await exec(
      server,
      '/exec/default/term/app?command=sh&command=-c&command=sleep%201%3B%20stty%20size&stdout=true&tty=true&stdin=true',
      ['v5.channel.k8s.io'],
      [Buffer.from([Channel.resize, ...Buffer.from('{"Width":100,"Height":30}')])],
    );
    expect(r.out[Channel.stdout]).toContain('30 100');
  });
});
