/**
 * pods/log and pods/exec in the API handler: Kubernetes' checks and messages
 * before the kubelet is reached, and what the PodConnector is handed (the
 * container, the log options, the node's kubelet endpoint). The connector is
 * a recorder; the kubelet hop itself is tested in test/agent/server and end
 * to end in test/integration/agent-logs-exec.test.ts.
 */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { MASTERS_GROUP, mastersAuthorizer, staticTokenAuthenticator } from '../../../core/apiserver/auth.ts';
import {
  type ConnectTarget,
  kubeletEndpointOf,
  type PodConnector,
  type PodLogOptions,
  parsePodLogOptions,
} from '../../../core/apiserver/connect.ts';
import { createApiHandler } from '../../../core/apiserver/handler.ts';
import { type ApiHandler, silentLogger } from '../../../core/apiserver/types.ts';
import { makeContainer, makeNode, makePod } from '../../fixtures/objects.ts';
import { adminCtx, makeRegistry, NODES, PODS } from '../../support/memory-registry.ts';

const TOKEN = 'pod-connect-test-token';
const POD = '/api/v1/namespaces/default/pods/web';
const running = { name: 'web', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } };

describe('pods/log and pods/exec', () => {
  let calls: { kind: 'logs' | 'exec'; target: ConnectTarget; options?: PodLogOptions; query?: URLSearchParams }[];
  let handler: ApiHandler;
  let withoutConnector: ApiHandler;
  let create: (pod: object, status?: object) => Promise<void>;

  const connector: PodConnector = {
    async containerLogs(target, options) {
      calls.push({ kind: 'logs', target, options });
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: 'log' };
    },
    async exec(target, query) {
      calls.push({ kind: 'exec', target, query });
      return { status: 101, headers: {}, upgrade: { url: 'https://kubelet/exec' } };
    },
  };

  const call = (h: ApiHandler, path: string, headers: Record<string, string> = {}) => {
    const url = new URL(path, 'https://skube.test');
    return h({
      method: 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: { authorization: `Bearer ${TOKEN}`, ...headers },
    });
  };
  const message = async (path: string, headers?: Record<string, string>) => {
    const res = await call(handler, path, headers);
    return { code: res.status, message: JSON.parse(String(res.body)).message as string };
  };
  const ws = { upgrade: 'websocket', connection: 'Upgrade' };

  beforeEach(async () => {
    calls = [];
    const { registry } = await makeRegistry();
    const deps = {
      registry,
      authenticators: [
        staticTokenAuthenticator([
          {
            tokenSha256: createHash('sha256').update(TOKEN).digest('hex'),
            user: { name: 'admin', groups: [MASTERS_GROUP] },
          },
        ]),
      ],
      authorizer: mastersAuthorizer,
      logger: silentLogger,
      now: () => new Date(),
      garbageCollector: false,
      serverAddress: '127.0.0.1:6443',
    };
    handler = createApiHandler({ ...deps, podConnector: connector });
    withoutConnector = createApiHandler(deps);
    const node = makeNode({
      metadata: { name: 'node-a', annotations: { 'skube.io/kubelet-serving-cert-sha256': 'AB12' } },
    });
    await registry.create(adminCtx(), NODES, '', node);
    const nodeStatus = {
      addresses: [
        { type: 'Hostname', address: 'node-a' },
        { type: 'InternalIP', address: '127.0.0.6' },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    };
    await registry.write(adminCtx(), NODES, '', 'node-a', (cur) => ({ ...cur, status: nodeStatus }), 'status');
    create = async (pod, status) => {
      await registry.create(adminCtx(), PODS, 'default', pod as never);
      if (status) await registry.write(adminCtx(), PODS, 'default', 'web', (cur) => ({ ...cur, status }), 'status');
    };
  });

  it('hands the container, the log options and the kubelet endpoint to the connector', async () => {
    await create(makePod({ spec: { nodeName: 'node-a' } }), { phase: 'Running', containerStatuses: [running] });
    const res = await call(handler, `${POD}/log?follow=true&tailLines=5&timestamps=true&sinceSeconds=60`);
    expect(res.status).toBe(200);
    expect(calls).toHaveLength(1);
    const { target, options } = calls[0];
    expect(target.container).toBe('web');
    expect(target.kubelet).toEqual({ nodeName: 'node-a', host: '127.0.0.6', port: 10250, certificateSha256: 'ab12' });
    expect(options).toMatchObject({ container: 'web', follow: true, tailLines: 5, timestamps: true, sinceSeconds: 60 });
  });

  it.each([
    ['/api/v1/namespaces/default/pods/nope/log', 404, 'pods "nope" not found'],
    [`${POD}/log?container=other`, 400, 'container other is not valid for pod web'],
    [`${POD}/log?previous=true`, 400, 'previous terminated container "web" in pod "web" not found'],
    [
      `${POD}/log?sinceSeconds=0`,
      422,
      'PodLogOptions "" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0',
    ],
    [`${POD}/log?tailLines=x`, 400, 'invalid value for tailLines: x'],
    [
      `${POD}/log?sinceSeconds=5&sinceTime=2025-01-01T00:00:00Z`,
      422,
      'PodLogOptions "" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    ],
  ])('GET %s → %i %s', async (path, code, text) => {
    await create(makePod({ spec: { nodeName: 'node-a' } }), { phase: 'Running', containerStatuses: [running] });
    expect(await message(path)).toEqual({ code, message: text });
    expect(calls).toHaveLength(0);
  });

  it('asks for a container name when the pod has several', async () => {
    await create(makePod({ spec: { containers: [makeContainer(), makeContainer({ name: 'side' })] } }));
    expect(await message(`${POD}/log`)).toEqual({
      code: 400,
      message: 'a container name must be specified for pod web, choose one of: [web side]',
    });
  });

  it('refuses logs of unscheduled pods', async () => {
    await create(makePod());
    expect(await message(`${POD}/log`)).toEqual({ code: 400, message: 'pod web does not have a host assigned' });
  });

  it('reports a waiting container with its reason', async () => {
    const waiting = { ...running, state: { waiting: { reason: 'ImagePullBackOff' } } };
    await create(makePod({ spec: { nodeName: 'node-a' } }), { phase: 'Pending', containerStatuses: [waiting] });
    expect(await message(`${POD}/log`)).toEqual({
      code: 400,
      message: 'container "web" in pod "web" is waiting to start: ImagePullBackOff',
    });
  });

  it('answers an exec upgrade with the connector’s upgrade target', async () => {
    await create(makePod({ spec: { nodeName: 'node-a' } }), { phase: 'Running', containerStatuses: [running] });
    const res = await call(handler, `${POD}/exec?command=sh&command=-c&command=true&stdout=true`, ws);
    expect(res.upgrade).toEqual({ url: 'https://kubelet/exec' });
    expect(calls[0].kind).toBe('exec');
    expect(calls[0].query?.getAll('command')).toEqual(['sh', '-c', 'true']);
  });

  it.each([
    [`${POD}/exec?stdout=true`, ws, 'you must specify at least 1 command'],
    [`${POD}/exec?command=true`, ws, 'you must specify at least 1 of stdin, stdout, stderr'],
    [`${POD}/exec?command=true&stdout=true&container=x`, ws, 'container x is not valid for pod web'],
    [`${POD}/exec?command=true&stdout=true`, {}, 'Upgrade request required'],
  ])('refuses exec %s with 400 %s', async (path, headers, text) => {
    await create(makePod({ spec: { nodeName: 'node-a' } }), { phase: 'Running', containerStatuses: [running] });
    expect(await message(path, headers)).toEqual({ code: 400, message: text });
  });

  it('refuses exec into a container that is not running', async () => {
    const waiting = { ...running, state: { waiting: { reason: 'CrashLoopBackOff' } } };
    await create(makePod({ spec: { nodeName: 'node-a' } }), { phase: 'Running', containerStatuses: [waiting] });
    expect(await message(`${POD}/exec?command=true&stdout=true`, ws)).toEqual({
      code: 400,
      message: 'container not found ("web")',
    });
  });

  it('refuses exec into a completed pod', async () => {
    await create(makePod({ spec: { nodeName: 'node-a' } }), { phase: 'Succeeded', containerStatuses: [running] });
    expect(await message(`${POD}/exec?command=true&stdout=true`, ws)).toEqual({
      code: 400,
      message: 'cannot exec into a container in a completed pod; current phase is Succeeded',
    });
  });

  it('answers 503 when the API server has no way to reach pods', async () => {
    await create(makePod({ spec: { nodeName: 'node-a' } }), { phase: 'Running', containerStatuses: [running] });
    const res = await call(withoutConnector, `${POD}/log`);
    expect(res.status).toBe(503);
  });
});

describe('kubeletEndpointOf', () => {
  it('prefers the InternalIP and needs a kubelet port', () => {
    const node = makeNode({
      metadata: { name: 'n' },
      status: { addresses: [{ type: 'Hostname', address: 'h' }], daemonEndpoints: { kubeletEndpoint: { Port: 1 } } },
    });
    expect(kubeletEndpointOf(node as never)).toEqual({
      nodeName: 'n',
      host: 'h',
      port: 1,
      certificateSha256: undefined,
    });
    expect(kubeletEndpointOf(makeNode({ metadata: { name: 'n' } }) as never)).toBeUndefined();
  });
});

describe('parsePodLogOptions', () => {
  it('reads sinceTime and defaults the container', () => {
    const o = parsePodLogOptions(new URLSearchParams('sinceTime=2025-01-01T00:00:00Z&limitBytes=10'), 'c');
    expect(o).toMatchObject({ container: 'c', limitBytes: 10, follow: false, previous: false });
    expect(o.sinceTime?.toISOString()).toBe('2025-01-01T00:00:00.000Z');
    expect(() => parsePodLogOptions(new URLSearchParams('sinceTime=yesterday'))).toThrow('invalid value for sinceTime');
  });
});
