/**
 * A node whose agent is gone for good, end to end with real Docker (nodes
 * 127.0.0.6 and 127.0.0.7): the node lifecycle controller marks it Unknown
 * once its Lease is stale, taints it and evicts its pods, and the
 * ReplicaSet's replacements run on the other node. Grace and toleration are
 * short here (Kubernetes: 40 s and 300 s).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentCluster, startAgentCluster, uniqueNodeName } from '../support/agent-cluster.ts';
import { dockerForTests } from '../support/docker.ts';
import { eventually } from '../support/local-cluster.ts';

const docker = await dockerForTests();
const skip = 'skip' in docker ? docker.skip : undefined;
if (skip) console.warn(`agent node-loss tests skipped: ${skip}`);

const NODE_C = uniqueNodeName('loss-c');
const NODE_D = uniqueNodeName('loss-d');

const waitFor = async <T>(check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 500): Promise<T> =>
  (await eventually(check, timeoutMs, intervalMs)) as T;
const isReady = (p: Pod) => p.status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True') ?? false;

describe.skipIf(skip)('node loss', () => {
  let c: AgentCluster;
  const pods = async (selector: string) =>
    (JSON.parse(await c.test.kubectlOk(['get', 'pods', '-l', selector, '-o', 'json'])) as { items: Pod[] }).items;

  beforeAll(async () => {
    c = await startAgentCluster({
      nodes: [
        { name: NODE_C, ip: '127.0.0.6' },
        { name: NODE_D, ip: '127.0.0.7' },
      ],
      // Unknown after 6 s without a Lease renewal, evicted 4 s later.
      cluster: { nodeMonitorGracePeriodSeconds: 6, defaultTolerationSeconds: 4 },
    });
  });
  afterAll(async () => {
    if (c && process.env.SKUBE_TEST_AGENT_LOGS) for (const a of c.agents.values()) console.log(a.output());
    await c?.cleanup();
  });

  it('recreates the pods of a node whose agent is gone for good on the other node', async () => {
    // Both replicas start on C: D is cordoned until they run.
    await c.test.kubectlOk(['cordon', NODE_D]);
    await c.test.kubectlOk(['apply', '-f', '-'], {
      input: `
apiVersion: apps/v1
kind: Deployment
metadata: { name: movers }
spec:
  replicas: 2
  selector: { matchLabels: { app: movers } }
  template:
    metadata: { labels: { app: movers } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: app
        image: ${c.image}
        command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
`,
    });
    const placed = await waitFor(async () => {
      const list = (await pods('app=movers')).filter(isReady);
      return list.length === 2 ? list : undefined;
    }, 90_000);
    expect(placed.map((p) => p.spec!.nodeName)).toEqual([NODE_C, NODE_C]);
    await c.test.kubectlOk(['uncordon', NODE_D]);
    await c.killAgent(NODE_C);
    await waitFor(
      async () => {
        const live = (await pods('app=movers')).filter((p) => !p.metadata!.deletionTimestamp && isReady(p));
        return live.length === 2 && live.every((p) => p.spec!.nodeName === NODE_D) ? live : undefined;
      },
      150_000,
      1000,
    );
    const node = JSON.parse(await c.test.kubectlOk(['get', 'node', NODE_C, '-o', 'json'])) as {
      status: { conditions: { type: string; status: string }[] };
    };
    expect(node.status.conditions.find((k) => k.type === 'Ready')!.status).toBe('Unknown');
  }, 240_000);
});
