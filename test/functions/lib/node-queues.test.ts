/**
 * Per-node wake-up queues: queue naming, then against moto's server (or
 * SKUBE_TEST_AWS_ENDPOINT): create and look up queues, ring exactly the
 * planned nodes, and the agent's long-polling client.
 */
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import { planWakeups, type WakeupPlan } from '../../../core/controllers/dispatcher/plan.ts';
import { NodeQueues, NodeWakeupClient, nodeQueueName } from '../../../functions/lib/node-queues.ts';
import { createSqsClient } from '../../../functions/lib/sqs-client.ts';
import { motoForTests, TEST_AWS_SQS, uniqueName } from '../../support/moto.ts';

describe('nodeQueueName', () => {
  it.each<[string, string]>([
    ['node-a', 'skube-node-node-a'],
    ['worker_1', 'skube-node-worker_1'],
  ])('keeps a valid name %s as is', (node, queue) => {
    expect(nodeQueueName(node)).toBe(queue);
  });

  it.each(['ip-10-0-1-5.ec2.internal', 'a'.repeat(70), `${'n'.repeat(200)}.example.com`, 'node:with:colons'])(
    'makes %s a valid SQS queue name',
    (node) => {
      const name = nodeQueueName(node);
      expect(name).toMatch(/^skube-node-[A-Za-z0-9_-]+$/);
      expect(name.length).toBeLessThanOrEqual(80);
      expect(nodeQueueName(node)).toBe(name);
    },
  );

  it.each<[string, string]>([
    ['a.b', 'a-b'],
    [`${'x'.repeat(80)}1`, `${'x'.repeat(80)}2`],
  ])('keeps %s and %s apart', (one, two) => {
    expect(nodeQueueName(one)).not.toBe(nodeQueueName(two));
  });

  it('honours a custom prefix', () => {
    expect(nodeQueueName('n1', 'skube-prod-node-')).toBe('skube-prod-node-n1');
  });
});

const moto = await motoForTests();
afterAll(() => ('stop' in moto ? moto.stop() : undefined));

function pod(name: string, nodeName?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName } };
}

if ('skip' in moto) {
  console.warn(`skipping the node wake-up queue tests: ${moto.skip}`);
  describe.skip(`node wake-up queues on moto (${moto.skip})`, () => {
    it('needs moto', () => {});
  });
} else {
  describe('node wake-up queues on moto', () => {
    const client = createSqsClient({ endpoint: moto.endpoint, ...TEST_AWS_SQS });
    afterAll(() => client.destroy());

    /** Queues with a test-unique prefix, and an agent client per node. */
    async function cluster(nodes: string[]) {
      const queues = new NodeQueues({ client, prefix: `${uniqueName('skube')}-node-` });
      const agents = new Map<string, NodeWakeupClient>();
      for (const node of nodes)
        agents.set(node, new NodeWakeupClient({ client, queueUrl: await queues.ensureQueue(node) }));
      return { queues, agents };
    }

    /** Polls until `count` doorbells arrived or an empty poll. */
    async function collect(agent: NodeWakeupClient, count = Number.POSITIVE_INFINITY) {
      const all = [];
      for (;;) {
        const got = await agent.poll(all.length >= count ? 0 : 1);
        if (got.length === 0) return all;
        all.push(...got);
      }
    }

    it('creates a queue once and finds it again', async () => {
      const prefix = `${uniqueName('skube')}-node-`;
      const queues = new NodeQueues({ client, prefix });
      expect(await queues.lookupQueue('ip-10-0-0-1.ec2.internal')).toBeUndefined();
      const url = await queues.ensureQueue('ip-10-0-0-1.ec2.internal');
      expect(await queues.ensureQueue('ip-10-0-0-1.ec2.internal')).toBe(url);
      const fresh = new NodeQueues({ client, prefix });
      expect(await fresh.lookupQueue('ip-10-0-0-1.ec2.internal')).toBe(url);
      await fresh.deleteQueue('ip-10-0-0-1.ec2.internal');
      await fresh.deleteQueue('ip-10-0-0-1.ec2.internal');
      expect(await new NodeQueues({ client, prefix: 'x' }).lookupQueue('gone')).toBeUndefined();
    });

    it('rings exactly the nodes each change concerns', async () => {
      const nodes = ['node-a', 'node-b', 'ip-10-0-0-3.ec2.internal'];
      const { queues, agents } = await cluster(nodes);
      const plans: WakeupPlan[] = [
        planWakeups(
          'pods',
          { type: 'MODIFIED', object: pod('moved', 'node-b'), prevObject: pod('moved', 'node-a'), revision: 5 },
          nodes,
        ),
        planWakeups('pods', { type: 'ADDED', object: pod('pending'), revision: 6 }, nodes),
        planWakeups('pods', { type: 'ADDED', object: pod('orphan', 'node-z'), revision: 7 }, nodes),
        planWakeups(
          'services',
          { type: 'ADDED', object: { metadata: { name: 'web', namespace: 'default' } }, revision: 2 },
          nodes,
        ),
      ];
      const result = await queues.wake(plans);
      expect(result).toEqual({ sent: 5, missingNodes: ['node-z'] });

      const moved = { resource: 'pods', namespace: 'default', name: 'moved', revision: 5 };
      const service = { resource: 'services', namespace: 'default', name: 'web', revision: 2 };
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      expect((await collect(agents.get('node-a')!, 2)).sort(byName)).toEqual([moved, service]);
      expect((await collect(agents.get('node-b')!, 2)).sort(byName)).toEqual([moved, service]);
      expect(await collect(agents.get('ip-10-0-0-3.ec2.internal')!, 1)).toEqual([service]);
    });

    it('splits many doorbells into batches of ten and collapses repeats of one object', async () => {
      const { queues, agents } = await cluster(['node-a']);
      const plans: WakeupPlan[] = [];
      for (let i = 0; i < 25; i++) {
        plans.push({
          nodes: ['node-a'],
          doorbell: { resource: 'pods', namespace: 'ns', name: `p${i}`, revision: i + 1 },
        });
      }
      plans.push({ nodes: ['node-a'], doorbell: { resource: 'pods', namespace: 'ns', name: 'p0', revision: 99 } });
      expect(await queues.wake(plans)).toEqual({ sent: 25, missingNodes: [] });
      const got = await collect(agents.get('node-a')!, 25);
      expect(got).toHaveLength(25);
      expect(got.find((b) => b.name === 'p0')?.revision).toBe(99);
    });

    it('long-polls until a doorbell arrives, and deletes what it returns', async () => {
      const { queues, agents } = await cluster(['node-a']);
      const agent = agents.get('node-a')!;
      const started = Date.now();
      const poll = agent.poll(60);
      setTimeout(() => {
        void queues.wake([
          { nodes: ['node-a'], doorbell: { resource: 'pods', namespace: 'ns', name: 'p', revision: 1 } },
        ]);
      }, 700);
      expect(await poll).toEqual([{ resource: 'pods', namespace: 'ns', name: 'p', revision: 1 }]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
      expect(await agent.poll(0)).toEqual([]);
    });

    it('returns nothing after waiting when no doorbell comes', async () => {
      const { agents } = await cluster(['node-a']);
      const started = Date.now();
      expect(await agents.get('node-a')!.poll(1)).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    });

    it('drops and deletes malformed messages', async () => {
      const { queues, agents } = await cluster(['node-a']);
      const queueUrl = (await queues.lookupQueue('node-a'))!;
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'not a doorbell' }));
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"resource":"pods"}' }));
      expect(await agents.get('node-a')!.poll(1)).toEqual([]);
      const attrs = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      expect(attrs.Attributes).toMatchObject({
        ApproximateNumberOfMessages: '0',
        ApproximateNumberOfMessagesNotVisible: '0',
      });
    });

    it('stops a long poll when aborted', async () => {
      const { agents } = await cluster(['node-a']);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const started = Date.now();
      await expect(agents.get('node-a')!.poll(20, { abortSignal: controller.signal })).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });
}
