/**
 * `kubectl logs` and `kubectl exec` end to end: the real kubectl against a
 * local cluster with two node agents (127.0.0.6, 127.0.0.7) running pods in
 * Docker; the API server proxies pods/log and the pods/exec WebSocket to each
 * node's kubelet server. Every check waits for its condition with a generous
 * deadline; none asserts a timing.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentCluster, startAgentCluster, uniqueNodeName } from '../support/agent-cluster.ts';
import { dockerForTests } from '../support/docker.ts';
import { eventually } from '../support/local-cluster.ts';

const docker = await dockerForTests();
const skip = 'skip' in docker ? docker.skip : undefined;
if (skip) console.warn(`logs/exec end-to-end tests skipped: ${skip}`);

const NODE_A = uniqueNodeName('logs-a');
const NODE_B = uniqueNodeName('logs-b');

describe.skipIf(skip)('kubectl logs and exec through node agents', () => {
  let c: AgentCluster;
  const kubectl = (args: string[], input?: string) => c.test.kubectl(args, { input, timeoutMs: 90_000 });
  const pod = async (name: string) => JSON.parse(await c.test.kubectlOk(['get', 'pod', name, '-o', 'json'])) as Pod;
  const running = (name: string) => eventually(async () => (await pod(name)).status?.phase === 'Running', 120_000, 250);

  beforeAll(async () => {
    c = await startAgentCluster({
      nodes: [
        { name: NODE_A, ip: '127.0.0.6' },
        { name: NODE_B, ip: '127.0.0.7' },
      ],
    });
    await c.test.kubectlOk(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Pod
metadata: { name: talker }
spec:
  nodeName: ${NODE_A}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${c.image}
    env: [{ name: WHO, value: main }]
    command: ['sh', '-c', 'echo line 1; sleep 0.3; echo line 2 >&2; sleep 0.3; echo line 3; i=0; while true; do i=$((i+1)); echo tick $i; sleep 1; done']
  - name: side
    image: ${c.image}
    env: [{ name: WHO, value: side }]
    command: ['sh', '-c', 'echo side hello; exec sleep 3600']
---
apiVersion: v1
kind: Pod
metadata: { name: crasher }
spec:
  nodeName: ${NODE_B}
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${c.image}
    command: ['sh', '-c', 'echo attempt at $(date +%s%N); sleep 2; exit 1']
`,
    });
    await running('talker');
  }, 240_000);

  afterAll(async () => {
    if (c && process.env.SKUBE_TEST_AGENT_LOGS) for (const a of c.agents.values()) console.log(a.output());
    await c?.cleanup();
  });

  it('prints a container log with stdout and stderr, honouring -c, --tail and --since', async () => {
    const main = await eventually(async () => {
      const r = await kubectl(['logs', 'talker', '-c', 'main']);
      return r.stdout.includes('line 3') ? r.stdout : '';
    }, 60_000);
    expect(main).toMatch(/^line 1\nline 2\nline 3\n/);
    expect((await kubectl(['logs', 'talker', '-c', 'side'])).stdout).toBe('side hello\n');
    expect((await kubectl(['logs', 'talker', '-c', 'side', '--tail=0'])).stdout).toBe('');
    const tail = (await kubectl(['logs', 'talker', '-c', 'main', '--tail=1'])).stdout;
    expect(tail.trim().split('\n')).toHaveLength(1);
    expect((await kubectl(['logs', 'talker', '-c', 'main', '--since=1h'])).stdout).toContain('line 1');
    const stamped = (await kubectl(['logs', 'talker', '-c', 'side', '--timestamps'])).stdout;
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z side hello\n$/);
  });

  it('answers like Kubernetes for unknown pods, containers and missing previous attempts', async () => {
    const container = await kubectl(['logs', 'talker', '-c', 'nope']);
    expect(container.code).not.toBe(0);
    expect(container.stderr).toContain('container nope is not valid for pod talker');
    expect((await kubectl(['logs', 'missing'])).stderr).toContain('pods "missing" not found');
    const previous = await kubectl(['logs', 'talker', '-c', 'main', '--previous']);
    expect(previous.stderr).toContain('previous terminated container "main" in pod "talker" not found');
  });

  it('streams with -f until the client leaves', async () => {
    const follow = c.test.kubectlStream(['logs', '-f', 'talker', '-c', 'main', '--tail=1']);
    try {
      await eventually(() => (follow.output().match(/tick \d+/g) ?? []).length >= 3, 60_000);
    } finally {
      await follow.stop();
    }
  });

  it('shows the previous attempt of a restarted container with --previous', async () => {
    await eventually(
      async () => (((await pod('crasher')).status?.containerStatuses ?? [])[0]?.restartCount ?? 0) >= 1,
      120_000,
    );
    const previous = await eventually(async () => {
      const r = await kubectl(['logs', 'crasher', '--previous']);
      return r.code === 0 && r.stdout.includes('attempt at') ? r.stdout : '';
    }, 60_000);
    expect(previous.trim().split('\n')).toHaveLength(1);
  });

  it('ends -f when the container ends', async () => {
    await c.test.kubectlOk(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Pod
metadata: { name: finisher }
spec:
  nodeName: ${NODE_B}
  restartPolicy: Never
  containers:
  - name: app
    image: ${c.image}
    command: ['sh', '-c', 'echo begin; sleep 4; echo done']
`,
    });
    await running('finisher');
    const r = await kubectl(['logs', '-f', 'finisher']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('begin\ndone\n');
  });

  it('runs commands with exec: output, stderr, the exit code, -i stdin and -c', async () => {
    const hi = await kubectl(['exec', 'talker', '-c', 'main', '--', 'sh', '-c', 'echo hi from $WHO; echo oops >&2']);
    expect(hi.code).toBe(0);
    expect(hi.stdout).toBe('hi from main\n');
    expect(hi.stderr).toBe('oops\n');
    expect((await kubectl(['exec', 'talker', '-c', 'side', '--', 'sh', '-c', 'echo $WHO'])).stdout).toBe('side\n');
    const failed = await kubectl(['exec', 'talker', '-c', 'main', '--', 'sh', '-c', 'exit 3']);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain('command terminated with exit code 3');
    const stdin = await kubectl(['exec', '-i', 'talker', '-c', 'main', '--', 'sh', '-c', 'tr a-z A-Z'], 'piped in\n');
    expect(stdin.code).toBe(0);
    expect(stdin.stdout).toBe('PIPED IN\n');
  });

  it('refuses exec into unknown pods and containers with Kubernetes’ messages', async () => {
    expect((await kubectl(['exec', 'missing', '--', 'true'])).stderr).toContain('pods "missing" not found');
    const bad = await kubectl(['exec', 'talker', '-c', 'nope', '--', 'true']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('container nope is not valid for pod talker');
  });
});
