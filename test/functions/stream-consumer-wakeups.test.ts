/**
 * The stream consumer's node dispatcher against DynamoDB Local and moto:
 * writes through the store, the log table's stream records as Lambda
 * receives them, and the doorbells that land on each node's wake-up queue
 * (read with the agent's own long-poll client). Node registrations create and
 * delete the queues; failures come back as `batchItemFailures`.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, expect, it } from 'vitest';
import type { KubeObject } from '../../core/api/object.ts';
import type { Doorbell } from '../../core/controllers/dispatcher/plan.ts';
import { CONTROLLER_FACTORIES } from '../../functions/lib/controllers.ts';
import { createHandler, type StreamConsumerDeps } from '../../functions/stream-consumer.ts';
import { NodeQueues, NodeWakeupClient } from '../../functions/lib/node-queues.ts';
import { logStreamDecoder } from '../../functions/lib/stream-events.ts';
import { tableNames } from '../../core/storage/dynamodb/tables.ts';
import { dynamoForTests } from '../support/emulators.ts';
import { motoForTests, uniqueName } from '../support/moto.ts';
import { describeWithControllerEnv } from './support/controller-env.ts';
import { lambdaContext, streamEvent, streamRecord } from './support/lambda-events.ts';

const dynamo = await dynamoForTests();
const moto = await motoForTests();
afterAll(async () => {
  if ('stop' in dynamo) await dynamo.stop();
  if ('stop' in moto) await moto.stop();
});

const node = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
const pod = (name: string, nodeName?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeName ? { nodeName } : {}) },
});
const service = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { ports: [{ port: 80 }] },
});
const key = (resource: string, obj: KubeObject) => ({
  resource,
  namespace: obj.metadata.namespace ?? '',
  name: obj.metadata.name ?? '',
});
const ring = (d: Doorbell) => `${d.resource} ${d.namespace}/${d.name}`;

describeWithControllerEnv('stream consumer waking nodes', dynamo, moto, (t) => {
  /** Deps over the env, with node queues of their own prefix (queue names are account-wide on moto). */
  const make = (over: Partial<NonNullable<StreamConsumerDeps['wakeups']>> = {}) => {
    const prefix = `${uniqueName('skube-t')}-node-`;
    const queues = new NodeQueues({ client: t.env.sqs, prefix });
    const deps: StreamConsumerDeps = {
      // The namespace controller alone: the garbage collector rings for every deletion too.
      ...t.env.deps({ factories: { namespace: CONTROLLER_FACTORIES.namespace } }),
      toStoreEvents: logStreamDecoder(t.env.harness.client, tableNames(t.env.harness.prefix)),
      wakeups: {
        queues,
        listNodes: async () => (await t.env.harness.store.list('nodes')).items.map((n) => n.metadata.name ?? ''),
        ...over,
      },
    };
    return { handler: createHandler(deps), queues, prefix };
  };
  /** Every doorbell waiting on `nodeName`'s queue. */
  const bellsOf = async (queues: NodeQueues, nodeName: string) => {
    const url = await queues.lookupQueue(nodeName);
    if (!url) throw new Error(`node ${nodeName} has no queue`);
    const client = new NodeWakeupClient({ client: t.env.sqs, queueUrl: url });
    const out: Doorbell[] = [];
    for (let empty = 0; empty < 2;) {
      const got = await client.poll(1);
      if (got.length === 0) empty++;
      out.push(...got);
    }
    return out.map(ring).sort();
  };
  const dispatch = async (handler: ReturnType<typeof make>['handler']) =>
    handler(streamEvent(await t.env.readLogStream()), lambdaContext('skube-stream-consumer'));

  it('creates the queues of registered nodes and rings the node of a bound pod and every node for a Service', async () => {
    const store = t.env.harness.store;
    for (const n of ['n1', 'n2']) await store.create(key('nodes', node(n)), node(n));
    await store.create(key('pods', pod('web', 'n1')), pod('web', 'n1'));
    await store.create(key('pods', pod('pending')), pod('pending'));
    await store.create(key('services', service('web')), service('web'));
    const { handler, queues } = make();

    expect(await dispatch(handler)).toEqual({ batchItemFailures: [] });
    expect(await bellsOf(queues, 'n1')).toEqual(['pods default/web', 'services default/web']);
    expect(await bellsOf(queues, 'n2')).toEqual(['services default/web']);
    expect(t.output.metrics()).toMatchObject({
      NodeWakeupsSent: [3],
      NodesWithoutQueue: [0],
      StreamRecordFailures: [0],
    });
  });

  it('rings both nodes of a pod that moved, deletes the queue of a deleted node, and skips nodes without one', async () => {
    const store = t.env.harness.store;
    const { handler, queues } = make();
    for (const n of ['n1', 'n2']) await queues.ensureQueue(n);
    const created = await store.create(key('pods', pod('web', 'n1')), pod('web', 'n1'));
    await store.update(key('pods', created), { ...created, spec: { ...(created.spec as object), nodeName: 'n2' } });
    await store.create(key('pods', pod('elsewhere', 'n9')), pod('elsewhere', 'n9'));
    await store.create(key('nodes', node('n3')), node('n3'));
    await store.delete(key('nodes', node('n3')));

    expect(await dispatch(handler)).toEqual({ batchItemFailures: [] });
    expect(await bellsOf(queues, 'n1')).toEqual(['pods default/web']);
    expect(await bellsOf(queues, 'n2')).toEqual(['pods default/web']);
    expect(await queues.lookupQueue('n3')).toBeUndefined();
    expect(t.output.metrics()).toMatchObject({ NodesWithoutQueue: [1] });
  });

  it('reports undecodable records, and every ringing record when SQS fails', async () => {
    const store = t.env.harness.store;
    await store.create(key('pods', pod('web', 'n1')), pod('web', 'n1'));
    await store.create(key('namespaces', { metadata: { name: 'quiet' } }), { metadata: { name: 'quiet' } });
    const records = await t.env.readLogStream();
    const broken = streamRecord('INSERT', { keys: { pk: { S: 'pods' }, sk: { N: '99' } } });
    const down = { send: async () => Promise.reject(new Error('SQS is down')) } as unknown as SQSClient;
    const { handler } = make({ queues: new NodeQueues({ client: down }) });

    const out = await handler(streamEvent([...records, broken]), lambdaContext('skube-stream-consumer'));
    const podRecord = records.find((r) => r.dynamodb?.Keys?.pk?.S === 'pods')!;
    expect(out.batchItemFailures).toEqual([
      { itemIdentifier: podRecord.dynamodb?.SequenceNumber },
      { itemIdentifier: broken.dynamodb?.SequenceNumber },
    ]);
  });
});
