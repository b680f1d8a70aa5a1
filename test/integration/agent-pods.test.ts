/**
 * End to end with real Docker: a local cluster with two node agents
 * (127.0.0.2 and 127.0.0.3) running pods from the busybox test image,
 * driven by the real kubectl. Each check waits for its condition with a
 * generous deadline (the machine is shared); none asserts a timing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Endpoints, Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentCluster, startAgentCluster, uniqueNodeName } from '../support/agent-cluster.ts';
import { dockerForTests } from '../support/docker.ts';
import { eventually } from '../support/local-cluster.ts';

const docker = await dockerForTests();
const skip = 'skip' in docker ? docker.skip : undefined;
if (skip) console.warn(`agent end-to-end tests skipped: ${skip}`);

const NODE_A = uniqueNodeName('pods-a');
const NODE_B = uniqueNodeName('pods-b');

/** Waits until `check` returns a value (see `eventually`). */
const waitFor = async <T>(check: () => Promise<T | undefined>, timeoutMs: number, intervalMs: number): Promise<T> =>
  (await eventually(check, timeoutMs, intervalMs)) as T;

/** GET http://host:port/ → body. */
function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(skip)('node agents running pods in Docker', () => {
  let c: AgentCluster;
  const getJson = async <T>(args: string[]): Promise<T> =>
    JSON.parse(await c.test.kubectlOk([...args, '-o', 'json'])) as T;
  const pod = (name: string) => getJson<Pod>(['get', 'pod', name]);
  const apply = (yaml: string) => c.test.kubectlOk(['apply', '-f', '-'], { input: yaml });

  beforeAll(async () => {
    c = await startAgentCluster({
      nodes: [
        { name: NODE_A, ip: '127.0.0.2' },
        { name: NODE_B, ip: '127.0.0.3' },
      ],
    });
  });
  afterAll(async () => {
    if (c && process.env.SKUBE_TEST_AGENT_LOGS) for (const a of c.agents.values()) console.log(a.output());
    await c?.cleanup();
  });

  it('registers both nodes Ready with their node IPs and a Lease', async () => {
    const out = await c.test.kubectlOk(['get', 'nodes', '-o', 'wide']);
    expect(out).toMatch(new RegExp(`${NODE_A}\\s+Ready.*127\\.0\\.0\\.2`));
    expect(out).toMatch(new RegExp(`${NODE_B}\\s+Ready.*127\\.0\\.0\\.3`));
    const lease = await getJson<{ spec: { holderIdentity: string } }>([
      'get',
      'lease',
      '-n',
      'kube-node-lease',
      NODE_A,
    ]);
    expect(lease.spec.holderIdentity).toBe(NODE_A);
  }, 240_000);

  it('runs a Deployment of 4 HTTP servers across both nodes, each answering with its pod name on its published port', async () => {
    await apply(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: hello }
spec:
  replicas: 4
  selector: { matchLabels: { app: hello } }
  template:
    metadata: { labels: { app: hello } }
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: httpd
        image: ${c.image}
        command: [sh, -c, 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www']
        ports: [{ containerPort: 8080 }]
        readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
`);
    const pods = await waitFor(
      async () => {
        const list = await getJson<{ items: Pod[] }>(['get', 'pods', '-l', 'app=hello']);
        const ready = list.items.filter((p) =>
          p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'),
        );
        return ready.length === 4 ? ready : undefined;
      },
      120_000,
      500,
    );
    expect(new Set(pods.map((p) => p.spec!.nodeName))).toEqual(new Set([NODE_A, NODE_B]));
    for (const p of pods) {
      const ports = JSON.parse(p.metadata!.annotations!['skube.io/published-ports']) as Record<string, number>;
      const hostIp = p.status!.hostIP!;
      expect(hostIp).toBe(p.spec!.nodeName === NODE_A ? '127.0.0.2' : '127.0.0.3');
      expect(p.status!.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(p.status!.containerStatuses![0]).toMatchObject({ ready: true, started: true, restartCount: 0 });
      expect(p.status!.containerStatuses![0].containerID).toMatch(/^docker:\/\/[0-9a-f]{64}$/);
      expect((await httpGet(hostIp, ports['8080/TCP'])).trim()).toBe(p.metadata!.name);
    }
    await c.test.kubectlOk(['delete', 'deployment', 'hello']);
  }, 240_000);

  it('lets two containers of a pod talk over localhost', async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: { name: duo }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: server
    image: ${c.image}
    command: [sh, -c, 'mkdir -p /www && echo hello-from-server > /www/index.html && exec httpd -f -p 8080 -h /www']
  - name: client
    image: ${c.image}
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
    readinessProbe:
      exec: { command: [sh, -c, 'printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc 127.0.0.1 8080 | grep -q hello-from-server'] }
      periodSeconds: 1
`);
    const p = await waitFor(
      async () => {
        const x = await pod('duo');
        return x.status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True') ? x : undefined;
      },
      90_000,
      500,
    );
    expect(p.status!.containerStatuses!.map((s) => [s.name, s.ready])).toEqual([
      ['server', true],
      ['client', true],
    ]);
    await c.test.kubectlOk(['delete', 'pod', 'duo', '--wait=false']);
  }, 240_000);

  it('backs a crashing container off with growing restart counts (CrashLoopBackOff)', async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: { name: crasher }
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: app
    image: ${c.image}
    command: [sh, -c, 'echo crashed >&2; printf bye > /dev/termination-log; exit 3']
`);
    const first = await waitFor(
      async () => {
        const s = (await pod('crasher')).status?.containerStatuses?.[0];
        return s?.state?.waiting?.reason === 'CrashLoopBackOff' && s.restartCount >= 1 ? s : undefined;
      },
      90_000,
      500,
    );
    expect(first.lastState?.terminated).toMatchObject({ exitCode: 3, reason: 'Error', message: 'bye' });
    expect(first.state!.waiting!.message).toMatch(
      /^back-off \d+s restarting failed container=app pod=crasher_default\(/,
    );
    const later = await waitFor(
      async () => {
        const s = (await pod('crasher')).status?.containerStatuses?.[0];
        return s && s.restartCount > first.restartCount ? s : undefined;
      },
      90_000,
      1000,
    );
    expect(later.restartCount).toBeGreaterThan(first.restartCount);
    expect((await pod('crasher')).status!.phase).toBe('Running');
    const out = await c.test.kubectlOk(['get', 'pod', 'crasher']);
    expect(out).toMatch(/crasher\s+0\/1\s+(CrashLoopBackOff|Error)\s+\d+/);
    await c.test.kubectlOk(['delete', 'pod', 'crasher', '--wait=false']);
  }, 240_000);

  it('takes a pod whose readiness probe fails out of its Service Endpoints', async () => {
    await apply(`
apiVersion: v1
kind: Service
metadata: { name: flaky }
spec:
  selector: { app: flaky }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: flaky, labels: { app: flaky } }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${c.image}
    command: [sh, -c, 'touch /tmp/ready; mkdir -p /www; exec httpd -f -p 8080 -h /www']
    ports: [{ containerPort: 8080 }]
    readinessProbe: { exec: { command: [cat, /tmp/ready] }, periodSeconds: 1, failureThreshold: 1 }
`);
    const endpoints = () => getJson<Endpoints>(['get', 'endpoints', 'flaky']);
    await eventually(async () => ((await endpoints()).subsets?.[0]?.addresses ?? []).length === 1, 90_000, 500);
    const p = await pod('flaky');
    const id = p.status!.containerStatuses![0].containerID!.replace('docker://', '');
    const exec = await new Docker().getContainer(id).exec({ Cmd: ['rm', '/tmp/ready'] });
    await exec.start({});
    await eventually(
      async () => {
        const e = await endpoints();
        return !(e.subsets?.[0]?.addresses ?? []).length && (e.subsets?.[0]?.notReadyAddresses ?? []).length === 1;
      },
      60_000,
      500,
    );
    const after = await pod('flaky');
    expect(after.status!.conditions!.find((k) => k.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
    });
    expect(after.status!.phase).toBe('Running');
    await c.test.kubectlOk(['delete', 'pod', 'flaky', '--wait=false']);
    await c.test.kubectlOk(['delete', 'service', 'flaky']);
  }, 240_000);

  it('stops a deleted pod gracefully (preStop, then SIGTERM) and removes its containers and object', async () => {
    const out = mkdtempSync(join(tmpdir(), 'skube-grace-'));
    try {
      await apply(`
apiVersion: v1
kind: Pod
metadata: { name: graceful }
spec:
  terminationGracePeriodSeconds: 20
  volumes: [{ name: out, hostPath: { path: ${out} } }]
  containers:
  - name: app
    image: ${c.image}
    command: [sh, -c, 'trap "echo term >> /out/log; exit 0" TERM; echo started >> /out/log; while true; do sleep 1; done']
    volumeMounts: [{ name: out, mountPath: /out }]
    lifecycle: { preStop: { exec: { command: [sh, -c, 'echo prestop >> /out/log'] } } }
`);
      const p = await waitFor(
        async () => {
          const x = await pod('graceful');
          return x.status?.phase === 'Running' ? x : undefined;
        },
        90_000,
        500,
      );
      const uid = p.metadata!.uid!;
      await eventually(() => readFileSync(join(out, 'log'), 'utf8').includes('started'), 30_000, 200);
      await c.test.kubectlOk(['delete', 'pod', 'graceful', '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
      expect(readFileSync(join(out, 'log'), 'utf8').trim().split('\n')).toEqual(['started', 'prestop', 'term']);
      const left = await new Docker().listContainers({
        all: true,
        filters: { label: [`io.kubernetes.pod.uid=${uid}`] },
      });
      expect(left).toEqual([]);
      expect((await c.test.kubectl(['get', 'pod', 'graceful'])).code).not.toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 240_000);
});
