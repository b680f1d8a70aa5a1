/**
 * End to end: two real agents (node IPs 127.0.0.4 and 127.0.0.5) running a
 * 4-replica Deployment of busybox httpd in Docker, a NodePort Service in
 * front, and the proxy of each agent serving it — from the host by ClusterIP
 * and NodePort, from inside pods by ClusterIP and by name, with Kubernetes'
 * service variables in the pods' environment, and no connection of the
 * agents or the client pods leaving 127.0.0.0/8 and the Docker bridge.
 */
import { execFile } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../core/client/api-client.ts';
import { loadKubeconfig } from '../../core/client/kubeconfig.ts';
import { type AgentCluster, startAgentCluster, uniqueNodeName } from '../support/agent-cluster.ts';
import { dockerForTests } from '../support/docker.ts';
import { eventually } from '../support/local-cluster.ts';

const run = promisify(execFile);
// This file's own service range (KUBELET's agent tests use 127.96.0.0/16): ClusterIPs never collide.
const SERVICE_CIDR = '127.97.0.0/16';
const BRIDGE = /^172\.17\./;
const NS = 'default';

/** GET / over HTTP/1.0 from the host; resolves with the body (the serving pod's name). */
function httpGet(host: string, port: number, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host, port });
    let data = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`timeout ${host}:${port}`));
    }, timeoutMs);
    s.on('connect', () => s.write(`GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`));
    s.on('data', (d) => (data += d));
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      const body = data.split('\r\n\r\n')[1];
      if (!data.startsWith('HTTP/1.') || body === undefined)
        reject(new Error(`bad answer from ${host}:${port}: ${data}`));
      else resolve(body.trim());
    });
  });
}

const counts = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());

const env = await dockerForTests();

if ('skip' in env) {
  console.warn(`skipping the agent proxy end-to-end tests: ${env.skip}`);
  describe.skip(`agent proxy end to end (${env.skip})`, () => {
    it('needs Docker', () => {});
  });
} else {
  const docker: Docker = env.docker;
  const nodes = [
    { name: uniqueNodeName('proxy-a'), ip: '127.0.0.4' },
    { name: uniqueNodeName('proxy-b'), ip: '127.0.0.5' },
  ];
  let c: AgentCluster;
  let client: ApiClient;
  let svc: Service;
  let clusterIP: string;
  let nodePort: number;
  const webPods: string[] = [];

  /** The container id of `container` in pod `pod`, found by the kubelet's labels. */
  const containerOf = async (pod: string, container: string) => {
    const list = await docker.listContainers({
      filters: { label: [`io.kubernetes.pod.name=${pod}`, `io.kubernetes.container.name=${container}`] },
    });
    const found = list.find((x) => nodes.some((n) => x.Labels['io.skube.node'] === n.name));
    if (!found) throw new Error(`no running container ${pod}/${container}`);
    return found.Id;
  };
  const execIn = async (pod: string, cmd: string) =>
    (await run('docker', ['exec', await containerOf(pod, 'main'), 'sh', '-c', cmd], { timeout: 30_000 })).stdout;
  /** GET / from inside `pod` with busybox nc (busybox wget crashes here). */
  const podGet = (pod: string, host: string, port = 80) =>
    execIn(pod, `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${host} ${port} | tail -n 1`).then((o) => o.trim());

  beforeAll(async () => {
    c = await startAgentCluster({ nodes, cluster: { serviceCidr: SERVICE_CIDR } });
    client = new ApiClient(loadKubeconfig(c.test.kubeconfig));
    svc = await client.create<Service>(`/api/v1/namespaces/${NS}/services`, {
      metadata: { name: 'web-svc' },
      spec: {
        type: 'NodePort',
        selector: { app: 'proxy-web' },
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      },
    });
    clusterIP = svc.spec?.clusterIP as string;
    nodePort = svc.spec?.ports?.[0]?.nodePort as number;
    await client.create(`/apis/apps/v1/namespaces/${NS}/deployments`, {
      metadata: { name: 'proxy-web' },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: 'proxy-web' } },
        template: {
          metadata: { labels: { app: 'proxy-web' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'DoNotSchedule',
                labelSelector: { matchLabels: { app: 'proxy-web' } },
              },
            ],
            containers: [
              {
                name: 'main',
                image: c.image,
                command: [
                  'sh',
                  '-c',
                  'mkdir -p /www && echo "$POD_NAME" > /www/index.html && exec httpd -f -p 8080 -h /www',
                ],
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
                ports: [{ name: 'http', containerPort: 8080 }],
              },
            ],
          },
        },
      },
    });
    for (const n of nodes) {
      await client.create(`/api/v1/namespaces/${NS}/pods`, {
        metadata: { name: `client-${n.ip.split('.')[3]}` },
        spec: {
          nodeName: n.name,
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'main', image: c.image, command: ['sleep', '3600'] }],
        },
      });
    }
    await eventually(
      async () => {
        const ep = await client.get<Endpoints>(`/api/v1/namespaces/${NS}/endpoints/web-svc`);
        const ready = (ep.subsets ?? []).flatMap((s) => s.addresses ?? []);
        if (ready.length !== 4) return false;
        webPods.splice(0, webPods.length, ...ready.map((a) => a.targetRef?.name as string));
        return true;
      },
      240_000,
      500,
    );
    await eventually(
      async () => {
        const pods = await client.list<Pod>(`/api/v1/namespaces/${NS}/pods`);
        return (
          pods.items.filter((p) => p.metadata?.name?.startsWith('client-') && p.status?.phase === 'Running').length ===
          2
        );
      },
      240_000,
      500,
    );
  }, 300_000);

  afterAll(async () => {
    client?.close();
    await c?.cleanup();
  }, 120_000);

  describe('agent proxy end to end', () => {
    it('spreads the Deployment over both nodes and addresses its pods by node IP and published port', async () => {
      const ep = await client.get<Endpoints>(`/api/v1/namespaces/${NS}/endpoints/web-svc`);
      const addresses = (ep.subsets ?? []).flatMap((s) => s.addresses ?? []);
      expect(new Set(addresses.map((a) => a.ip))).toEqual(new Set(nodes.map((n) => n.ip)));
      expect(new Set(addresses.map((a) => a.nodeName))).toEqual(new Set(nodes.map((n) => n.name)));
      for (const s of ep.subsets ?? []) expect(s.ports?.[0]?.port).not.toBe(8080);
    });

    it('answers on the ClusterIP from the host, round-robin across all 4 pods', async () => {
      expect(clusterIP.startsWith('127.97.')).toBe(true);
      await eventually(() => httpGet(clusterIP, 80), 60_000, 200);
      const answers: string[] = [];
      for (let i = 0; i < 8; i++) answers.push(await httpGet(clusterIP, 80));
      expect([...counts(answers).keys()].sort()).toEqual([...webPods].sort());
      expect([...counts(answers).values()]).toEqual([2, 2, 2, 2]);
    });

    it.each([0, 1])('answers on the NodePort of node %i, round-robin across all 4 pods', async (i) => {
      const ip = nodes[i]!.ip;
      await eventually(() => httpGet(ip, nodePort), 60_000, 200);
      const answers: string[] = [];
      for (let k = 0; k < 8; k++) answers.push(await httpGet(ip, nodePort));
      expect([...counts(answers).values()]).toEqual([2, 2, 2, 2]);
    });

    it.each(['client-4', 'client-5'])(
      'reaches the Service from inside pod %s by ClusterIP and by name',
      async (pod) => {
        const seen = new Set<string>();
        await eventually(async () => (await podGet(pod, clusterIP)) !== '', 60_000, 500);
        for (let i = 0; i < 8; i++) seen.add(await podGet(pod, clusterIP));
        expect([...seen].sort()).toEqual([...webPods].sort());
        for (const name of ['web-svc', 'web-svc.default', 'web-svc.default.svc.cluster.local']) {
          expect(webPods).toContain(await podGet(pod, name));
        }
      },
    );

    it("puts Kubernetes' service variables into the pods' environment", async () => {
      const vars = await execIn('client-4', 'env');
      expect(vars).toContain(`WEB_SVC_SERVICE_HOST=${clusterIP}\n`);
      expect(vars).toContain('WEB_SVC_SERVICE_PORT=80\n');
      expect(vars).toContain('WEB_SVC_SERVICE_PORT_HTTP=80\n');
      expect(vars).toContain(`WEB_SVC_PORT_80_TCP_ADDR=${clusterIP}\n`);
      expect(vars).toContain(`KUBERNETES_SERVICE_HOST=`);
    });

    it('adds a Service created after the pod to its /etc/hosts and routes to it', async () => {
      const late = await client.create<Service>(`/api/v1/namespaces/${NS}/services`, {
        metadata: { name: 'late-svc' },
        spec: { selector: { app: 'proxy-web' }, ports: [{ port: 8081, targetPort: 'http', protocol: 'TCP' }] },
      });
      await eventually(
        async () => (await execIn('client-5', 'cat /etc/hosts')).includes('late-svc.default.svc'),
        60_000,
        500,
      );
      expect(await execIn('client-5', 'cat /etc/hosts')).toContain(
        `${late.spec?.clusterIP}\tlate-svc late-svc.default`,
      );
      await eventually(async () => webPods.includes(await podGet('client-5', 'late-svc', 8081)), 60_000, 500);
    });

    it('keeps every connection of the agents and of the client pods within 127.0.0.0/8 and the Docker bridge', async () => {
      const pids = [...c.agents.values()].map((a) => a.process.pid as number);
      const clientPids = await Promise.all(
        ['client-4', 'client-5'].map(
          async (p) => (await docker.getContainer(await containerOf(p, 'main')).inspect()).State.Pid,
        ),
      );
      const peers = new Set<string>();
      const sample = async () => {
        const host = (await run('ss', ['-tunapH'])).stdout.split('\n');
        for (const line of host) {
          if (!pids.some((pid) => line.includes(`pid=${pid},`))) continue;
          const cols = line.trim().split(/\s+/);
          for (const addr of [cols[4], cols[5]])
            if (addr && !addr.startsWith('*') && !addr.startsWith('0.0.0.0')) peers.add(addr);
        }
        for (const pid of clientPids) {
          const inPod = (await run('nsenter', [`--net=/proc/${pid}/ns/net`, 'ss', '-tunaH'])).stdout.split('\n');
          for (const line of inPod) {
            const cols = line.trim().split(/\s+/);
            for (const addr of [cols[4], cols[5]])
              if (addr && !addr.startsWith('*') && !addr.startsWith('0.0.0.0')) peers.add(addr);
          }
        }
      };
      const traffic = (async () => {
        for (let i = 0; i < 6; i++) {
          await httpGet(clusterIP, 80);
          await httpGet(nodes[i % 2]!.ip, nodePort);
        }
        await podGet('client-4', clusterIP);
        await execIn('client-5', `(printf 'GET / HTTP/1.0\\r\\n\\r\\n'; sleep 2) | nc -w 5 ${clusterIP} 80 >/dev/null`);
      })();
      let done = false;
      traffic.then(
        () => (done = true),
        () => (done = true),
      );
      while (!done) {
        await sample();
        await new Promise((r) => setTimeout(r, 50));
      }
      await traffic;
      const hosts = [...peers].map((a) => a.replace(/^\[?(::ffff:)?/, '').replace(/\]?:[^:]*$/, ''));
      expect(hosts.length).toBeGreaterThan(0);
      expect(hosts.some((h) => BRIDGE.test(h))).toBe(true);
      expect(hosts.filter((h) => !h.startsWith('127.') && !BRIDGE.test(h))).toEqual([]);
    }, 120_000);

    it('keeps routing pods of a restarted agent (new listener ports reach their rules)', async () => {
      const b = nodes[1]!.name;
      await c.stopAgent(b);
      await c.startAgent(b);
      await eventually(async () => webPods.includes(await podGet('client-5', clusterIP)), 90_000, 500);
      await eventually(async () => webPods.includes(await podGet('client-5', 'web-svc')), 30_000, 500);
      await eventually(() => httpGet(nodes[1]!.ip, nodePort), 60_000, 500);
    }, 180_000);
  });
}
