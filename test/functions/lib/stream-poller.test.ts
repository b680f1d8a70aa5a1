/**
 * The stream poller. Against a fake stream: shard lineage, closed shards,
 * expired iterators. Against DynamoDB Local's stream of the store's log
 * table: decoded records equal the store's own watch events, order per
 * shard, bisection isolating a failing record, and resuming after a clean
 * stop without delivering anything twice.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createOverflowPrevReader } from '../../../core/storage/dynamodb/overflow-reader.ts';
import { type StreamStoreEvent, toStoreEvents } from '../../../core/storage/dynamodb/stream-events.ts';
import { tableNames } from '../../../core/storage/dynamodb/tables.ts';
import type { StoreEvent } from '../../../core/storage/store.ts';
import { memoryCheckpointStore } from '../../../functions/lib/stream-poller-checkpoints.ts';
import {
  createStreamPoller,
  latestStreamArn,
  type StreamPoller,
  type StreamPollerOptions,
} from '../../../functions/lib/stream-poller.ts';
import { type DynamoHarness, dynamoHarness } from '../../core/storage/dynamodb-harness.ts';
import { keyOf, makeObject } from '../../fixtures/store-objects.ts';
import { dynamoForTests, TEST_AWS } from '../../support/emulators.ts';
import { eventually } from '../../support/local-cluster.ts';
import { type FakeShard, fakeRecord, fakeStream } from '../support/fake-streams.ts';

const pollers: StreamPoller[] = [];
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

/** `n` characters of random base64, which compression cannot shrink much. */
const noise = (n: number) => randomBytes(n).toString('base64').slice(0, n);

const seqOf = (r: DynamoDBRecord) => Number(r.dynamodb?.SequenceNumber);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Starts a poller that records every batch it handled; `fail` decides which records throw. */
async function startPoller(
  opts: Omit<StreamPollerOptions, 'handler' | 'onPoison'> & { fail?: (r: DynamoDBRecord) => boolean },
) {
  const handled: DynamoDBRecord[] = [];
  const calls: DynamoDBRecord[][] = [];
  const poison: DynamoDBRecord[] = [];
  const poller = createStreamPoller({
    pollIntervalMs: 20,
    retryBaseMs: 1,
    ...opts,
    handler: async (records) => {
      calls.push(records);
      if (records.some((r) => opts.fail?.(r))) throw new Error('handler failed');
      handled.push(...records);
    },
    onPoison: (r) => {
      poison.push(r);
    },
  });
  pollers.push(poller);
  await poller.start();
  return { poller, handled, calls, poison };
}

describe('stream poller on a fake stream', () => {
  it('reads a child shard only after its closed parent is finished', async () => {
    const parent: FakeShard = { id: 'p', records: range(1, 5).map((n) => fakeRecord(n)), closed: true };
    const child: FakeShard = { id: 'c', parent: 'p', records: range(6, 8).map((n) => fakeRecord(n)), closed: false };
    const other: FakeShard = { id: 'q', records: [fakeRecord(20)], closed: false };
    const stream = fakeStream([child, other, parent]);
    const checkpoints = memoryCheckpointStore();
    const p = await startPoller({
      client: stream.client,
      streamArn: stream.arn,
      batchSize: 2,
      checkpoints,
      discoveryIntervalMs: 60_000, // the parent's end must wake discovery, not the timer
    });
    await eventually(() => p.handled.length === 9, 5_000);
    const order = p.handled.map(seqOf).filter((s) => s < 20);
    expect(order).toEqual(range(1, 8));
    expect(stream.reads.indexOf('c')).toBeGreaterThan(stream.reads.lastIndexOf('p'));
    expect(p.calls.every((c) => c.length <= 2)).toBe(true);
    expect(p.poller.checkpoints()).toEqual({
      p: { sequenceNumber: '000000000000000000005', finished: true },
      c: { sequenceNumber: '000000000000000000008', finished: false },
      q: { sequenceNumber: '000000000000000000020', finished: false },
    });

    // A new poller over the same checkpoints skips the finished parent and resumes the others.
    await p.poller.stop();
    child.records.push(fakeRecord(9));
    stream.reads.length = 0;
    const again = await startPoller({ client: stream.client, streamArn: stream.arn, checkpoints });
    await eventually(() => again.handled.length === 1, 5_000);
    expect(again.handled.map(seqOf)).toEqual([9]);
    expect(stream.reads).not.toContain('p');
  });

  it('renews an expired iterator at the last record read, losing and repeating nothing', async () => {
    const shard: FakeShard = { id: 's', records: range(1, 3).map((n) => fakeRecord(n)), closed: false };
    const stream = fakeStream([shard]);
    const p = await startPoller({ client: stream.client, streamArn: stream.arn });
    await eventually(() => p.handled.length === 3, 5_000);
    stream.expireNextIterator('s');
    shard.records.push(fakeRecord(4), fakeRecord(5));
    await eventually(() => p.handled.length === 5, 5_000);
    expect(p.handled.map(seqOf)).toEqual(range(1, 5));
  });

  it('hands records over in the shape Lambda delivers', async () => {
    const stream = fakeStream([{ id: 's', records: [fakeRecord(1)], closed: false }]);
    const p = await startPoller({ client: stream.client, streamArn: stream.arn });
    await eventually(() => p.handled.length === 1, 5_000);
    expect(p.handled[0]).toEqual({
      eventID: expect.any(String),
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: stream.arn,
      dynamodb: {
        ApproximateCreationDateTime: 1735689600,
        Keys: { pk: { S: 'widgets' }, sk: { N: '1' } },
        NewImage: { pk: { S: 'widgets' }, sk: { N: '1' } },
        SequenceNumber: '000000000000000000001',
        SizeBytes: 20,
        StreamViewType: 'NEW_IMAGE',
      },
    });
  });

  it('refuses a batch size outside 1-10000', () => {
    const stream = fakeStream([]);
    const base = { client: stream.client, streamArn: stream.arn, handler: async () => {}, onPoison: () => {} };
    expect(() => createStreamPoller({ ...base, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => createStreamPoller({ ...base, batchSize: 10_001 })).toThrow(/batchSize/);
  });
});

const dynamo = await dynamoForTests();
afterAll(() => ('stop' in dynamo ? dynamo.stop() : undefined));

if ('skip' in dynamo) {
  console.warn(`skipping the stream poller tests on DynamoDB Local: ${dynamo.skip}`);
  describe.skip(`stream poller on DynamoDB Local (${dynamo.skip})`, () => {
    it('needs DynamoDB', () => {});
  });
} else {
  const endpoint = dynamo.endpoint;
  describe('stream poller on DynamoDB Local', () => {
    let h: DynamoHarness;
    let streams: DynamoDBStreamsClient;
    let streamArn: string;
    const W = 'widgets';
    const create = (name: string, spec: Record<string, unknown> = {}) => {
      const obj = makeObject({ name, namespace: 'ns1', spec });
      return h.store.create(keyOf(W, obj), obj);
    };
    /** The log rows (changes) among `records`, as revisions. */
    const revisions = async (records: DynamoDBRecord[]) =>
      (await toStoreEvents(records)).events.map((e) => e.event.revision);

    afterEach(async () => {
      await Promise.all(pollers.splice(0).map((p) => p.stop()));
      streams?.destroy();
      await h?.cleanup();
    });
    const setUp = async () => {
      h = await dynamoHarness(endpoint);
      streams = new DynamoDBStreamsClient({ endpoint, ...TEST_AWS });
      streamArn = await latestStreamArn(h.client, tableNames(h.prefix).log);
    };

    it('delivers the changes the store watch sees, decoded to the same events, in order', async () => {
      await setUp();
      const watch = await h.store.watch(W, { fromRevision: 0 });
      const a = await create('a', { n: 1 });
      await create('b');
      // Random, and large enough that even compressed the previous body moves to an overflow row.
      const [x, y] = [noise(260_000), noise(260_000)];
      const big = await h.store.update(keyOf(W, a), { ...a, spec: { big: x } });
      await h.store.update(keyOf(W, a), { ...big, spec: { big: y } });
      await h.store.delete(keyOf(W, makeObject({ name: 'b', namespace: 'ns1' })));
      const fromWatch: StoreEvent[] = [];
      for await (const e of watch) if (fromWatch.push(e) === 5) break;

      const decoded: StreamStoreEvent[] = [];
      const readOverflowPrev = createOverflowPrevReader(h.client, tableNames(h.prefix));
      const poller = createStreamPoller({
        client: streams,
        streamArn,
        pollIntervalMs: 20,
        handler: async (records) => {
          const out = await toStoreEvents(records, { readOverflowPrev });
          if (out.failed.length > 0) throw out.failed[0].error;
          decoded.push(...out.events);
        },
        onPoison: () => {
          throw new Error('no record should fail');
        },
      });
      pollers.push(poller);
      await poller.start();
      await eventually(() => decoded.length === 5, 10_000);
      expect(decoded.map((d) => d.resource)).toEqual(Array(5).fill(W));
      expect(decoded.map((d) => d.event)).toEqual(fromWatch);
      expect(decoded[3].event.prevObject?.spec).toEqual({ big: x });
    });

    it('isolates the record the handler fails on by bisection and reports it as poison', async () => {
      await setUp();
      for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) await create(name);
      const isBad = (r: DynamoDBRecord) => r.dynamodb?.Keys?.sk?.N === '4';
      const p = await startPoller({ client: streams, streamArn, fail: isBad, maxRetryAttempts: 2 });
      await eventually(() => p.poison.length === 1 && p.handled.length === p.calls[0].length - 1, 10_000);
      const batch = p.calls[0];
      expect(batch.length).toBeGreaterThanOrEqual(6); // the six log rows, read at once
      expect(p.poison.map(isBad)).toEqual([true]);
      // Isolated, then retried twice on its own.
      expect(p.calls.filter((c) => c.length === 1 && isBad(c[0]))).toHaveLength(3);
      // Everything else was handled once, in order.
      expect(p.handled.map((r) => r.eventID)).toEqual(batch.filter((r) => !isBad(r)).map((r) => r.eventID));
      expect(await revisions(p.handled)).toEqual([1, 2, 3, 5, 6]);
    });

    it('resumes exactly after its checkpoint when stopped cleanly and started again', async () => {
      await setUp();
      const checkpoints = memoryCheckpointStore();
      const first = await startPoller({ client: streams, streamArn, checkpoints, batchSize: 3 });
      const writes = (async () => {
        for (let i = 0; i < 20; i++) await create(`w${i}`);
      })();
      await eventually(async () => (await revisions(first.handled)).length >= 5, 10_000);
      await first.poller.stop();
      await writes;
      const second = await startPoller({ client: streams, streamArn, checkpoints, batchSize: 3 });
      const all = async () => [...(await revisions(first.handled)), ...(await revisions(second.handled))];
      await eventually(async () => (await all()).length === 20, 10_000);
      expect(await all()).toEqual(range(1, 20));
      const firstIDs = new Set(first.handled.map((r) => r.eventID));
      expect(second.handled.filter((r) => firstIDs.has(r.eventID))).toEqual([]);
      expect(second.handled.length).toBeGreaterThan(0);
    });
  });
}
