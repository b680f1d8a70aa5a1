/**
 * How the DynamoDB store allocates revisions from its log and what each
 * write puts in DynamoDB, against DynamoDB Local: two items of under 1 KB
 * per pod create and status update (the capacity targets), revisions that
 * keep counting after TTL deleted every log row, and items of the earlier
 * format (JSON string bodies, a head counter) still read and counted from.
 */
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { makeBenchPod, withStatusUpdate } from '../../../../bench/store-pod.ts';
import type { KubeObject } from '../../../../core/api/object.ts';
import { tableNames } from '../../../../core/storage/dynamodb/tables.ts';
import { key, rv, watchFrom } from '../../../conformance/store/context.ts';
import { makeObject } from '../../../fixtures/store-objects.ts';
import { dynamoForTests, TEST_AWS } from '../../../support/emulators.ts';
import { type DynamoHarness, dynamoHarness } from '../dynamodb-harness.ts';

const dynamo = await dynamoForTests();
afterAll(() => ('stop' in dynamo ? dynamo.stop() : undefined));

const W = 'widgets';
const HOUR = 3_600_000;

/** Bytes of an item in DynamoDB's wire form, as DynamoDB sizes it (names + values; numbers ≈ digits / 2 + 1). */
function wireSize(item: Record<string, { S?: string; N?: string; B?: Uint8Array; BOOL?: boolean }>): number {
  let bytes = 0;
  for (const [name, v] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (v.S !== undefined) bytes += Buffer.byteLength(v.S);
    else if (v.N !== undefined) bytes += Math.ceil(v.N.replace(/[.-]/g, '').length / 2) + 1;
    else if (v.B !== undefined) bytes += v.B.length;
    else bytes += 1;
  }
  return bytes;
}

/** Deletes every row of `resource`'s log partition, as DynamoDB's TTL eventually does. */
async function dropLogRows(h: DynamoHarness, resource: string): Promise<void> {
  const log = tableNames(h.prefix).log;
  const out = await h.client.send(
    new QueryCommand({
      TableName: log,
      KeyConditionExpression: 'pk = :pk AND sk > :head',
      ExpressionAttributeValues: { ':pk': { S: resource }, ':head': { N: '0' } },
      ProjectionExpression: 'pk, sk',
    }),
  );
  const keys = out.Items ?? [];
  for (let i = 0; i < keys.length; i += 25) {
    const batch = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
    await h.client.send(new BatchWriteItemCommand({ RequestItems: { [log]: batch } }));
  }
}

if ('skip' in dynamo) {
  console.warn(`skipping the DynamoDB revision tests: ${dynamo.skip}`);
  describe.skip(`DynamoDB store revisions (${dynamo.skip})`, () => {
    it('needs DynamoDB', () => {});
  });
} else {
  const endpoint = dynamo.endpoint;

  describe('DynamoDB store revisions and items', () => {
    let h: DynamoHarness;
    afterEach(async () => h?.cleanup());

    it('writes a pod create and a status update as two items of under 1 KB each, and a delete as three', async () => {
      h = await dynamoHarness(endpoint);
      const writes: TransactWriteItemsCommandInput[] = [];
      const client = new DynamoDBClient({ endpoint, ...TEST_AWS });
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'TransactWriteItemsCommand') writes.push(args.input as never);
          return next(args);
        },
        // After the document client marshalled: the wire form, whose sizes DynamoDB bills.
        { step: 'build', name: 'recordWrites' },
      );
      const store = h.open({ client });
      const pod = makeBenchPod('shop', 'web-7c5ddbdf54-x2k9p') as KubeObject;
      const k = key('pods', 'web-7c5ddbdf54-x2k9p', 'shop');
      const created = await store.create(k, pod);
      await store.update(k, withStatusUpdate(created as never, 1) as KubeObject);
      await store.delete(k);

      expect(writes.map((w) => w.TransactItems?.length)).toEqual([2, 2, 3]);
      for (const w of writes.slice(0, 2)) {
        for (const item of w.TransactItems ?? []) {
          const wire = (item.Put?.Item ?? {}) as Parameters<typeof wireSize>[0];
          expect(wireSize(wire)).toBeLessThan(1024);
        }
      }
      client.destroy();
    });

    it.each([
      [
        'an update',
        async (s: DynamoHarness['store']) =>
          s.update(key(W, 'a', 'ns1'), makeObject({ name: 'a', namespace: 'ns1', spec: { v: 2 } })),
      ],
      ['a delete', async (s: DynamoHarness['store']) => s.delete(key(W, 'b', 'ns1'))],
    ])('counts on from the last write after TTL removed every log row, when that write was %s', async (_, last) => {
      h = await dynamoHarness(endpoint);
      await h.store.create(key(W, 'a', 'ns1'), makeObject({ name: 'a', namespace: 'ns1' }));
      await h.store.create(key(W, 'b', 'ns1'), makeObject({ name: 'b', namespace: 'ns1' }));
      const final = rv(await last(h.store));
      await dropLogRows(h, W);
      // Two hours on, past every row's TTL: the log can no longer say what the latest revision was.
      const later = h.open({ now: () => Date.now() + 2 * HOUR });
      expect(await later.currentRevision(W)).toBe(final);
      const c = await later.create(key(W, 'c', 'ns1'), makeObject({ name: 'c', namespace: 'ns1' }));
      expect(rv(c)).toBe(final + 1);
      expect(await later.currentRevision(W)).toBe(final + 1);
    });

    it('trusts the latest row while it is far from its TTL, even when every row is past its retention', async () => {
      h = await dynamoHarness(endpoint, { logRetentionSeconds: 60 });
      await h.store.create(key(W, 'a', 'ns1'), makeObject({ name: 'a', namespace: 'ns1' }));
      const gone = await h.store.delete(key(W, 'a', 'ns1'));
      const later = h.open({ now: () => Date.now() + 120_000 });
      const again = await later.create(key(W, 'a', 'ns1'), makeObject({ name: 'a', namespace: 'ns1' }));
      expect(rv(again)).toBe(rv(gone) + 1);
    });

    it('reads items of the earlier format and counts on from its head counter', async () => {
      h = await dynamoHarness(endpoint);
      const names = tableNames(h.prefix);
      const legacy = { ...makeObject({ name: 'a', namespace: 'ns1' }) };
      legacy.metadata = { ...legacy.metadata, resourceVersion: '7' };
      const body = JSON.stringify(legacy);
      const expiresAt = Math.floor(Date.now() / 1000) + 300;
      const put = (TableName: string, item: Record<string, unknown>) =>
        h.client.send(new PutItemCommand({ TableName, Item: marshall(item) }));
      await put(names.objects, { pk: W, sk: 'ns1#a', ns: 'ns1', name: 'a', rv: 7, body });
      await put(names.log, { pk: W, sk: 0, rev: 9 });
      await put(names.log, { pk: W, sk: 7, type: 'ADDED', ns: 'ns1', name: 'a', body, expiresAt: expiresAt - 600 });

      expect(await h.store.get(key(W, 'a', 'ns1'))).toEqual(legacy);
      expect((await h.store.list(W)).items).toEqual([legacy]);
      // The only row is past its TTL, so the head counter (9, from two later writes whose rows are gone) decides.
      expect(await h.store.currentRevision(W)).toBe(9);
      const b = await h.store.create(key(W, 'b', 'ns1'), makeObject({ name: 'b', namespace: 'ns1' }));
      expect(rv(b)).toBe(10);
      const watch = await watchFrom(h.store, W, 9);
      const a2 = await h.store.update(key(W, 'a', 'ns1'), { ...legacy, spec: { v: 2 } });
      const [first, second] = await watch.take(2);
      expect(first.object).toEqual(b);
      expect(second.object).toEqual(a2);
      expect(second.prevObject).toEqual(legacy);
    });
  });
}
