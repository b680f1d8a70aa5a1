/**
 * The stream consumer function: DynamoDB stream events → `toStoreEvents` →
 * the namespace controller's keys → the SQS work queue on moto. First with a
 * stand-in decoder over made-up records, then with the store's own decoder
 * over the records DynamoDB Local's stream holds after writes through the store.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, expect, it } from 'vitest';
import type { StoreEvent } from '../../core/storage/store.ts';
import { type StreamConsumerDeps, createHandler } from '../../functions/stream-consumer.ts';
import { CONTROLLER_FACTORIES } from '../../functions/lib/controllers.ts';
import { type DecodedRecord, logStreamDecoder, type ToStoreEvents } from '../../functions/lib/stream-events.ts';
import { findResource } from '../../core/api/resources.ts';
import { MASTERS_GROUP } from '../../core/apiserver/auth.ts';
import { deleteObject } from '../../core/registry/delete.ts';
import { tableNames } from '../../core/storage/dynamodb/tables.ts';
import { dynamoForTests } from '../support/emulators.ts';
import { motoForTests } from '../support/moto.ts';
import { describeWithControllerEnv } from './support/controller-env.ts';
import { type Image, lambdaContext, streamEvent, streamRecord } from './support/lambda-events.ts';

const dynamo = await dynamoForTests();
const moto = await motoForTests();
afterAll(async () => {
  if ('stop' in dynamo) await dynamo.stop();
  if ('stop' in moto) await moto.stop();
});

/** A log-table-like row: `pk` the resource, `body` the object as JSON. */
const row = (resource: string, name: string, rv: number): Image => ({
  pk: { S: resource },
  sk: { N: String(rv) },
  body: { S: JSON.stringify({ metadata: { name, resourceVersion: String(rv) } }) },
});
const keys = (resource: string, rv: number): Image => ({ pk: { S: resource }, sk: { N: String(rv) } });

/** The stand-in decoder: reads `row` images; a record without one does not decode. */
const fakeToStoreEvents: ToStoreEvents = async (records) =>
  records.map((r): DecodedRecord => {
    const image = r.dynamodb?.NewImage ?? r.dynamodb?.OldImage;
    if (!image?.body?.S || !image.pk?.S) return { error: new Error('no image') };
    const type: StoreEvent['type'] =
      r.eventName === 'INSERT' ? 'ADDED' : r.eventName === 'REMOVE' ? 'DELETED' : 'MODIFIED';
    const object = JSON.parse(image.body.S);
    return { events: [{ resource: image.pk.S, event: { type, object, revision: Number(image.sk?.N) } }] };
  });

describeWithControllerEnv('stream consumer function', dynamo, moto, (t) => {
  const make = (extra: Partial<StreamConsumerDeps> & { queueUrl?: string } = {}) =>
    createHandler({
      // The namespace controller alone: the garbage collector rings for every deletion too.
      ...t.env.deps({ queueUrl: extra.queueUrl, factories: { namespace: CONTROLLER_FACTORIES.namespace } }),
      toStoreEvents: fakeToStoreEvents,
      ...extra,
    });

  it('queues each namespace key once per batch and ignores resources no controller watches', async () => {
    const records: DynamoDBRecord[] = [
      streamRecord('INSERT', { keys: keys('namespaces', 1), newImage: row('namespaces', 'team-a', 1) }),
      streamRecord('MODIFY', { keys: keys('namespaces', 2), newImage: row('namespaces', 'team-a', 2) }),
      streamRecord('REMOVE', { keys: keys('namespaces', 3), oldImage: row('namespaces', 'team-b', 3) }),
      streamRecord('INSERT', { keys: keys('pods', 9), newImage: row('pods', 'web', 9) }),
    ];
    const out = await make()(streamEvent(records), lambdaContext('skube-stream-consumer'));
    expect(out).toEqual({ batchItemFailures: [] });
    const messages = await t.env.receive(2);
    expect(messages.map((m) => JSON.parse(m.Body ?? '{}').key).sort()).toEqual([
      'namespace:team-a',
      'namespace:team-b',
    ]);
    expect(await t.env.receive(1, 1_500)).toEqual([]);
    expect(t.output.metrics()).toMatchObject({ StreamRecords: [4], StreamRecordFailures: [0], WorkKeysQueued: [2] });
  });

  it('reports the sequence numbers of records that did not decode or whose keys were not queued', async () => {
    const undecodable = streamRecord('MODIFY', { keys: keys('namespaces', 4) });
    const unwatched = streamRecord('INSERT', { keys: keys('pods', 5), newImage: row('pods', 'web', 5) });
    const watched = streamRecord('INSERT', { keys: keys('namespaces', 6), newImage: row('namespaces', 'x', 6) });
    const handler = make({ queueUrl: `${t.env.queueUrl}-missing` });
    const out = await handler(streamEvent([undecodable, unwatched, watched]), lambdaContext('skube-stream-consumer'));
    expect(out.batchItemFailures).toEqual([
      { itemIdentifier: undecodable.dynamodb?.SequenceNumber },
      { itemIdentifier: watched.dynamodb?.SequenceNumber },
    ]);
  });

  it('queues the namespace controller for namespaces written through the store, from the real log stream', async () => {
    const ctx = { user: { name: 'test', groups: [MASTERS_GROUP] }, now: new Date(), dryRun: false };
    const namespaces = findResource('', 'v1', 'namespaces')!;
    await t.env.registry.create(ctx, namespaces, '', { metadata: { name: 'alpha' } });
    await t.env.registry.create(ctx, namespaces, '', { metadata: { name: 'beta' } });
    await deleteObject(t.env.registry, { garbageCollector: false }, ctx, namespaces, '', 'beta', {});
    const records = await t.env.readLogStream();
    // One log row per write (create, create, update to Terminating); the head item changes only on deletes.
    expect(records.length).toBeGreaterThanOrEqual(3);

    const handler = make({ toStoreEvents: logStreamDecoder(t.env.harness.client, tableNames(t.env.harness.prefix)) });
    const out = await handler(streamEvent(records), lambdaContext('skube-stream-consumer'));

    expect(out).toEqual({ batchItemFailures: [] });
    const messages = await t.env.receive(2);
    expect(messages.map((m) => JSON.parse(m.Body ?? '{}').key).sort()).toEqual(['namespace:alpha', 'namespace:beta']);
    expect(t.output.metrics()).toMatchObject({ StreamRecordFailures: [0], WorkKeysQueued: [2] });
  });
});
