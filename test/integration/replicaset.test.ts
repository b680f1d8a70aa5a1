/**
 * The ReplicaSet and Endpoints controllers in a local cluster, driven by the
 * real kubectl: scale up and down, replace a deleted pod, and list ready pod
 * addresses in a Service's Endpoints. There is no node agent yet, so the test
 * sets pod IPs and readiness through `pods/status` itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from '../support/local-cluster.ts';

const RS = `
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: web, namespace: default }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{ name: http, containerPort: 8080 }]
`;

const SERVICE = `
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
`;

interface PodItem {
  metadata: {
    name: string;
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string; controller?: boolean }[];
  };
}

describe('ReplicaSet and Endpoints controllers', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster({ scheduler: false });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const pods = async (): Promise<PodItem[]> => {
    const out = JSON.parse(await t.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: PodItem[] };
    return out.items.filter((p) => !p.metadata.deletionTimestamp);
  };
  const podCount = (n: number) => eventually(async () => (await pods()).length === n, 20_000);

  it('keeps the replica count through scaling and pod deletion', async () => {
    await t.kubectlOk(['apply', '-f', '-'], { input: RS });
    await podCount(3);
    for (const p of await pods()) {
      expect(p.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'ReplicaSet', name: 'web', controller: true }),
      ]);
    }
    await t.kubectlOk(['scale', 'rs', 'web', '--replicas=5']);
    await podCount(5);
    await t.kubectlOk(['scale', 'rs', 'web', '--replicas=1']);
    await podCount(1);
    const [survivor] = await pods();
    await t.kubectlOk(['delete', 'pod', survivor?.metadata.name ?? '', '--wait=false']);
    await eventually(async () => {
      const now = await pods();
      return now.length === 1 && now[0]?.metadata.name !== survivor?.metadata.name;
    }, 20_000);
    await eventually(
      async () => (await t.kubectlOk(['get', 'rs', 'web', '-o', 'jsonpath={.status.replicas}'])).trim() === '1',
      20_000,
    );
    const events = await t.kubectlOk([
      'get',
      'events',
      '--field-selector',
      'involvedObject.kind=ReplicaSet',
      '-o',
      'json',
    ]);
    const reasons = (JSON.parse(events) as { items: { reason: string }[] }).items.map((e) => e.reason);
    expect([...new Set(reasons)].sort()).toEqual(['SuccessfulCreate', 'SuccessfulDelete']);
  });

  it('lists ready pods in the Service Endpoints with the named target port resolved', async () => {
    await t.kubectlOk(['scale', 'rs', 'web', '--replicas=2']);
    await podCount(2);
    await t.kubectlOk(['apply', '-f', '-'], { input: SERVICE });
    const [a, b] = (await pods()).map((p) => p.metadata.name);
    const setStatus = (name: string, ip: string, ready: string) =>
      t.kubectlOk([
        'patch',
        'pod',
        name,
        '--subresource=status',
        '--type=merge',
        '-p',
        JSON.stringify({ status: { podIP: ip, conditions: [{ type: 'Ready', status: ready }] } }),
      ]);
    await setStatus(a ?? '', '10.1.0.1', 'True');
    await setStatus(b ?? '', '10.1.0.2', 'False');
    const subset = await eventually(async () => {
      const ep = JSON.parse(await t.kubectlOk(['get', 'endpoints', 'web', '-o', 'json'])) as {
        subsets?: { addresses?: { ip: string }[]; notReadyAddresses?: { ip: string }[]; ports?: unknown[] }[];
      };
      const s = ep.subsets?.[0];
      return s?.addresses?.length === 1 && s.notReadyAddresses?.length === 1 ? s : undefined;
    }, 20_000);
    expect(subset?.addresses?.[0]?.ip).toBe('10.1.0.1');
    expect(subset?.notReadyAddresses?.[0]?.ip).toBe('10.1.0.2');
    expect(subset?.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    await t.kubectlOk(['delete', 'service', 'web']);
    await eventually(async () => (await t.kubectl(['get', 'endpoints', 'web'])).code !== 0, 20_000);
  });
});
