import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProxy, startProxy } from '../../../agent/proxy/proxy.ts';
import { silentLogger } from '../../../core/apiserver/types.ts';
import { ApiClient } from '../../../core/client/api-client.ts';
import { loadKubeconfig } from '../../../core/client/kubeconfig.ts';
import { eventually, startTestCluster, type TestCluster } from '../../support/local-cluster.ts';
import { connect, tcpBackend, whoAnswers } from './sockets.ts';

// A service range of this file's own, inside 127.0.0.0/8, so no other test's ClusterIPs collide.
const SERVICE_CIDR = '127.98.0.0/16';
const NODE_IP = `127.0.${100 + Math.floor(Math.random() * 100)}.${2 + Math.floor(Math.random() * 200)}`;

let t: TestCluster;
let client: ApiClient;
let proxy: RunningProxy;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await startTestCluster({ serviceCidr: SERVICE_CIDR });
  client = new ApiClient(loadKubeconfig(t.kubeconfig));
  proxy = await startProxy({ client, nodeName: 'proxy-unit', nodeIp: NODE_IP, logger: silentLogger, resyncMs: 200 });
  await proxy.synced;
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  for (const c of closers) await c();
  client?.close();
  await t?.cleanup();
});

async function backend(id: string) {
  const b = await tcpBackend(id);
  closers.push(b.close);
  return b;
}

const endpointsBody = (name: string, ports: number[]) => ({
  metadata: { name, namespace: 'default' },
  subsets: ports.map((port) => ({
    addresses: [{ ip: '127.0.0.1' }],
    ports: [{ name: 'http', port, protocol: 'TCP' }],
  })),
});

describe('startProxy', () => {
  it('serves a Service on its ClusterIP and NodePort from the API and follows its Endpoints', async () => {
    const [b0, b1, b2] = [await backend('b0'), await backend('b1'), await backend('b2')];
    const svc = await client.create<Service>('/api/v1/namespaces/default/services', {
      metadata: { name: 'manual' },
      spec: { type: 'NodePort', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    });
    const ip = svc.spec?.clusterIP as string;
    const nodePort = svc.spec?.ports?.[0]?.nodePort as number;
    expect(ip.startsWith('127.98.')).toBe(true);
    await client.create<Endpoints>(
      '/api/v1/namespaces/default/endpoints',
      endpointsBody('manual', [b0.backend.port, b1.backend.port]),
    );
    await eventually(async () => (await whoAnswers(ip, 8080)) !== '', 30_000);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(await whoAnswers(ip, 8080));
    expect(seen).toEqual(new Set(['b0', 'b1']));
    expect(['b0', 'b1']).toContain(await whoAnswers(NODE_IP, nodePort));

    const held = await connect(ip, 8080);
    const current = await client.get<Endpoints>('/api/v1/namespaces/default/endpoints/manual');
    await client.update('/api/v1/namespaces/default/endpoints/manual', {
      ...endpointsBody('manual', [held.greeting === 'b0' ? b0.backend.port : b1.backend.port, b2.backend.port]),
      metadata: { ...current.metadata },
    });
    await eventually(async () => (await whoAnswers(ip, 8080)) === 'b2', 30_000, 50);
    expect(await held.echo('kept')).toBe('kept');
    held.socket.destroy();

    await client.delete('/api/v1/namespaces/default/services/manual');
    await eventually(async () => {
      try {
        await whoAnswers(ip, 8080);
        return false;
      } catch {
        return true;
      }
    }, 30_000);
  }, 120_000);
});
