/**
 * The scheduler function on real-shaped stream events: nodes and pods written
 * through the registry into DynamoDB Local, the records its log table's stream
 * holds afterwards, decoded by the store's own decoder, handed to the handler
 * as Lambda delivers them.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../core/api/object.ts';
import { findResource } from '../../core/api/resources.ts';
import { MASTERS_GROUP } from '../../core/apiserver/auth.ts';
import { silentLogger } from '../../core/apiserver/types.ts';
import { ensureSystemNamespaces } from '../../core/registry/bootstrap.ts';
import { createRegistry } from '../../functions/lib/cluster.ts';
import { type DecodedRecord, logStreamDecoder, type ToStoreEvents } from '../../functions/lib/stream-events.ts';
import { StreamScheduler } from '../../core/scheduler/stream-scheduler.ts';
import { tableNames } from '../../core/storage/dynamodb/tables.ts';
import type { Store } from '../../core/storage/store.ts';
import { createHandler } from '../../functions/scheduler.ts';
import { makeNode, makePod } from '../fixtures/scheduler.ts';
import { dynamoForTests } from '../support/emulators.ts';
import { motoForTests } from '../support/moto.ts';
import { describeWithControllerEnv } from './support/controller-env.ts';
import { lambdaContext, streamEvent, streamRecord } from './support/lambda-events.ts';
import { type CapturedOutput, captureOutput, testObservability } from './support/observe.ts';

const dynamo = await dynamoForTests();
const moto = await motoForTests();
afterAll(async () => {
  if ('stop' in dynamo) await dynamo.stop();
  if ('stop' in moto) await moto.stop();
});

const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;
const ctx = () => ({ user: { name: 'test', groups: [MASTERS_GROUP] }, now: new Date(), dryRun: false });

describeWithControllerEnv('scheduler function', dynamo, moto, (t) => {
  const decoder = (): ToStoreEvents => logStreamDecoder(t.env.harness.client, tableNames(t.env.harness.prefix));
  /** A handler as one container builds it, over `store` (another store over the same tables is another container). */
  const make = (store: Store = t.env.harness.store, toStoreEvents = decoder()) =>
    createHandler({
      scheduler: new StreamScheduler({
        store,
        registry: store === t.env.harness.store ? t.env.registry : createRegistry(config(), store),
        logger: silentLogger,
      }),
      toStoreEvents,
      obs: testObservability('skube-scheduler-test'),
    });
  const config = () => ({
    region: 'us-east-1',
    tablePrefix: t.env.harness.prefix,
    serviceCidr: '10.96.0.0/24',
    nodePortRange: { min: 30000, max: 32767 },
    metricsNamespace: 'skube-test',
  });

  const seen = new Set<string>();
  beforeEach(async () => {
    seen.clear();
    await ensureSystemNamespaces(t.env.registry, () => new Date());
  });
  /** The stream records written since the last call, as the next batch would bring them. */
  async function nextBatch(): Promise<DynamoDBRecord[]> {
    const fresh = (await t.env.readLogStream()).filter((r) => !seen.has(r.eventID!));
    for (const r of fresh) seen.add(r.eventID!);
    return fresh;
  }

  async function addNode(name: string, cpu: string): Promise<void> {
    const { metadata, status } = makeNode({ name, cpu });
    await t.env.registry.create(ctx(), NODES, '', { metadata: { name, labels: metadata!.labels } });
    await t.env.registry.update(ctx(), NODES, '', name, { metadata: { name }, status } as KubeObject, 'status');
  }
  async function addPod(name: string, cpu: string): Promise<void> {
    const { spec } = makePod({ name, cpu });
    await t.env.registry.create(ctx(), PODS, 'default', { metadata: { name }, spec } as KubeObject);
  }
  const pod = async (name: string) => (await t.env.registry.get(PODS, 'default', name)) as unknown as Pod;

  it('binds the pending pods a batch rings for and reports no failures', async () => {
    await addNode('n1', '2');
    await addPod('web-1', '500m');
    await addPod('web-2', '500m');
    const handler = make();

    const out = await handler(streamEvent(await nextBatch()), lambdaContext('skube-scheduler'));

    expect(out).toEqual({ batchItemFailures: [] });
    expect((await pod('web-1')).spec?.nodeName).toBe('n1');
    expect((await pod('web-2')).spec?.nodeName).toBe('n1');
    expect(t.output.metrics()).toMatchObject({ PodsBound: [2], PodsUnschedulable: [0] });
    const events = (await t.env.harness.store.list('events')).items as unknown as Event[];
    expect(events.map((e) => e.message).sort()).toEqual([
      'Successfully assigned default/web-1 to n1',
      'Successfully assigned default/web-2 to n1',
    ]);
  });

  it('reports a pod no node fits as Unschedulable, and binds it when a later batch brings a node with room', async () => {
    await addNode('small', '500m');
    await addPod('big', '1');
    const handler = make();

    expect(await handler(streamEvent(await nextBatch()), lambdaContext('skube-scheduler'))).toEqual({
      batchItemFailures: [],
    });
    const waiting = await pod('big');
    expect(waiting.spec?.nodeName).toBeUndefined();
    expect(waiting.status?.conditions).toEqual([
      expect.objectContaining({
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: '0/1 nodes are available: 1 Insufficient cpu.',
      }),
    ]);

    // Our own status write comes back on the stream: it changes nothing.
    expect(await handler(streamEvent(await nextBatch()), lambdaContext('skube-scheduler'))).toEqual({
      batchItemFailures: [],
    });
    await addNode('large', '4');
    expect(await handler(streamEvent(await nextBatch()), lambdaContext('skube-scheduler'))).toEqual({
      batchItemFailures: [],
    });
    expect((await pod('big')).spec?.nodeName).toBe('large');
  });

  it('never overcommits a node when two containers schedule the same batch at once', async () => {
    await addNode('tight', '1');
    for (let i = 0; i < 6; i++) await addPod(`p${i}`, '300m');
    const records = await nextBatch();
    const [a, b] = [make(), make(t.env.harness.open())];

    await Promise.all([a, b].map((h) => h(streamEvent(records), lambdaContext('skube-scheduler'))));

    // Whatever either lost is reported or refused; the next batch (the records of these writes) settles it.
    await a(streamEvent(await nextBatch()), lambdaContext('skube-scheduler'));
    const pods = await Promise.all(Array.from({ length: 6 }, (_, i) => pod(`p${i}`)));
    expect(pods.filter((p) => p.spec?.nodeName === 'tight')).toHaveLength(3);
    const refused = pods.filter((p) => p.status?.conditions?.some((c) => c.reason === 'Unschedulable'));
    expect(refused).toHaveLength(3);
    expect(refused.every((p) => !p.spec?.nodeName)).toBe(true);
  });

  it('reports the records that do not decode by their sequence numbers', async () => {
    await addNode('n1', '1');
    const good = await nextBatch();
    const bad = streamRecord('INSERT', { keys: { pk: { S: 'pods' }, sk: { N: '99' } } });
    const real = decoder();
    const toStoreEvents: ToStoreEvents = async (records) => {
      const out: DecodedRecord[] = await real(records.filter((r) => r !== bad));
      out.splice(records.indexOf(bad), 0, { error: new Error('no image') });
      return out;
    };
    const out = await make(t.env.harness.store, toStoreEvents)(
      streamEvent([...good, bad]),
      lambdaContext('skube-scheduler'),
    );
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: bad.dynamodb!.SequenceNumber }] });
  });
});

describe('scheduler function (batch failures)', () => {
  let output: CapturedOutput;
  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(() => output.restore());
  const podRecord = () => streamRecord('MODIFY', { keys: { pk: { S: 'pods' }, sk: { N: '7' } } }, 'skube-log');
  const decodedAs =
    (names: (string | undefined)[]): ToStoreEvents =>
    async (records) =>
      records.map((_, i): DecodedRecord => {
        const name = names[i];
        if (name === undefined) return { events: [] };
        const object = { metadata: { name, namespace: 'default', resourceVersion: '7' } };
        return { events: [{ resource: 'pods', event: { type: 'MODIFIED', object, revision: 7 } }] };
      });
  const outcome = (retrying: string[]) => ({ bound: 0, unschedulable: 0, bindFailures: retrying.length, retrying });

  it('reports the records of pods whose binding still fails, by sequence number', async () => {
    const records = [podRecord(), podRecord(), podRecord()];
    const handler = createHandler({
      scheduler: { runBatch: async () => outcome(['default/a']) },
      toStoreEvents: decodedAs(['a', 'b', 'a']),
      obs: testObservability('skube-scheduler-test'),
    });
    const out = await handler(streamEvent(records), lambdaContext('skube-scheduler'));
    expect(out.batchItemFailures).toEqual([
      { itemIdentifier: records[0].dynamodb!.SequenceNumber },
      { itemIdentifier: records[2].dynamodb!.SequenceNumber },
    ]);
  });

  it('reports the last record for a retrying pod the batch does not mention, so the retry still comes', async () => {
    const records = [podRecord(), podRecord()];
    const handler = createHandler({
      scheduler: { runBatch: async () => outcome(['default/elsewhere']) },
      toStoreEvents: decodedAs(['a', undefined]),
      obs: testObservability('skube-scheduler-test'),
    });
    const out = await handler(streamEvent(records), lambdaContext('skube-scheduler'));
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: records[1].dynamodb!.SequenceNumber }]);
    expect(output.logs('scheduled batch')).toMatchObject([{ retrying: ['default/elsewhere'], failedRecords: 1 }]);
  });
});
