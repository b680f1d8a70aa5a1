/**
 * Node agents dying, end to end with real Docker (nodes 127.0.0.4 and
 * 127.0.0.5): a SIGKILLed agent that comes back adopts the containers it
 * finds (same IDs, no restarts) and removes only its own orphans.
 */
import Docker from 'dockerode';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentCluster, startAgentCluster, uniqueNodeName } from '../support/agent-cluster.ts';
import { dockerForTests, TEST_IMAGES } from '../support/docker.ts';
import { eventually } from '../support/local-cluster.ts';

const docker = await dockerForTests();
const skip = 'skip' in docker ? docker.skip : undefined;
if (skip) console.warn(`agent restart tests skipped: ${skip}`);

const NODE_C = uniqueNodeName('restart-c');
const NODE_D = uniqueNodeName('restart-d');
const STRANGER = uniqueNodeName('not-an-agent');

const waitFor = async <T>(check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 500): Promise<T> =>
  (await eventually(check, timeoutMs, intervalMs)) as T;
const isReady = (p: Pod) => p.status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True') ?? false;

describe.skipIf(skip)('agent restarts', () => {
  let c: AgentCluster;
  const engine = new Docker();
  const pods = async (selector: string) =>
    (JSON.parse(await c.test.kubectlOk(['get', 'pods', '-l', selector, '-o', 'json'])) as { items: Pod[] }).items;
  const containersOfNode = (node: string) =>
    engine.listContainers({ all: true, filters: { label: [`io.skube.node=${node}`] } });

  beforeAll(async () => {
    c = await startAgentCluster({
      nodes: [
        { name: NODE_C, ip: '127.0.0.4' },
        { name: NODE_D, ip: '127.0.0.5' },
      ],
    });
  });
  afterAll(async () => {
    if (c && process.env.SKUBE_TEST_AGENT_LOGS) for (const a of c.agents.values()) console.log(a.output());
    await c?.cleanup();
    for (const x of await containersOfNode(STRANGER)) await engine.getContainer(x.Id).remove({ force: true });
  });

  it('re-adopts running pods after a SIGKILL and restart, and removes only its own orphans', async () => {
    await c.test.kubectlOk(['apply', '-f', '-'], {
      input: `
apiVersion: v1
kind: Pod
metadata: { name: survivor, labels: { app: survivor } }
spec:
  nodeName: ${NODE_C}
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${c.image}
    command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 1; done']
`,
    });
    const before = await waitFor(async () => (await pods('app=survivor')).find(isReady), 90_000);
    const id = before.status!.containerStatuses![0].containerID;
    await c.killAgent(NODE_C);
    // The containers outlive the agent.
    expect((await engine.getContainer(id!.replace('docker://', '')).inspect()).State.Running).toBe(true);
    // Left behind by "an earlier agent": one of this node's containers for a pod that no longer exists,
    // and one of another node's, which this agent must never touch.
    const orphan = await engine.createContainer({
      Image: TEST_IMAGES.local,
      Cmd: ['sleep', '600'],
      Labels: { 'io.skube.node': NODE_C, 'io.kubernetes.pod.uid': 'gone-uid', 'io.kubernetes.container.name': 'app' },
    });
    await orphan.start();
    const foreign = await engine.createContainer({
      Image: TEST_IMAGES.local,
      Cmd: ['sleep', '600'],
      Labels: { 'io.skube.node': STRANGER, 'io.kubernetes.pod.uid': 'gone-uid', 'io.kubernetes.container.name': 'app' },
    });
    await foreign.start();

    await c.startAgent(NODE_C);
    await waitFor(async () => !(await containersOfNode(NODE_C)).some((x) => x.Id === orphan.id) || undefined, 60_000);
    expect((await containersOfNode(STRANGER)).map((x) => x.Id)).toEqual([foreign.id]);
    // A fresh status write from the new agent shows up as a new heartbeat on the Lease; give the sync a moment.
    const after = await waitFor(async () => {
      const p = (await pods('app=survivor'))[0];
      return p && isReady(p) ? p : undefined;
    }, 30_000);
    expect(after.status!.containerStatuses![0]).toMatchObject({ containerID: id, restartCount: 0, ready: true });
    const running = (await containersOfNode(NODE_C)).filter((x) => x.State === 'running');
    expect(running.map((x) => x.Labels['io.kubernetes.container.name']).sort()).toEqual(['POD', 'app']);
    await c.test.kubectlOk(['delete', 'pod', 'survivor', '--wait=false']);
  }, 180_000);
});
