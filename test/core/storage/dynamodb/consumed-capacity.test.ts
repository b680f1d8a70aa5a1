/**
 * The DynamoDB store's `onConsumedCapacity` hook against DynamoDB Local:
 * what each verb reports, that a caller's client is left alone, that nothing
 * is requested without a hook, and that a failing hook never fails a write.
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createDynamoStore } from '../../../../core/storage/dynamodb/dynamo-store.ts';
import { tableNames } from '../../../../core/storage/dynamodb/tables.ts';
import { makeObject } from '../../../fixtures/store-objects.ts';
import { dynamoForTests, TEST_AWS } from '../../../support/emulators.ts';
import { type DynamoHarness, dynamoHarness } from '../dynamodb-harness.ts';

const dynamo = await dynamoForTests();
afterAll(() => ('stop' in dynamo ? dynamo.stop() : undefined));

const KEY = { resource: 'widgets', namespace: 'ns1', name: 'a' };
const obj = () => makeObject({ name: 'a', namespace: 'ns1', spec: { payload: 'x'.repeat(1500) } });

type Report = { operation: string; capacity: ConsumedCapacity[] };

/** A client that records whether each response carried ConsumedCapacity. */
function observedClient(endpoint: string, seen: boolean[]): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint, ...TEST_AWS });
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      seen.push((out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity !== undefined);
      return out;
    },
    { step: 'initialize', name: 'observe' },
  );
  return client;
}

if ('skip' in dynamo) {
  console.warn(`skipping the consumed-capacity tests: ${dynamo.skip}`);
  describe.skip(`consumed capacity (${dynamo.skip})`, () => {
    it('needs DynamoDB', () => {});
  });
} else {
  const endpoint = dynamo.endpoint;

  describe('onConsumedCapacity', () => {
    let h: DynamoHarness;
    const clients: DynamoDBClient[] = [];
    afterEach(async () => {
      await h?.cleanup();
      for (const c of clients.splice(0)) c.destroy();
    });

    it('reports the latest-revision read and the transaction of a create', async () => {
      const reports: Report[] = [];
      h = await dynamoHarness(endpoint, {
        onConsumedCapacity: (operation, capacity) => reports.push({ operation, capacity }),
      });
      // The first write of a type finds no log row and also reads the head and the objects (see latestRevision).
      await h.store.create({ ...KEY, name: 'first' }, obj());
      expect(reports.map((r) => r.operation)).toEqual(['Query', 'GetItem', 'Query', 'TransactWriteItems']);
      reports.length = 0;
      await h.store.create(KEY, obj());
      expect(reports.map((r) => r.operation)).toEqual(['Query', 'TransactWriteItems']);
      const names = tableNames(h.prefix);
      expect(reports[0].capacity).toEqual([expect.objectContaining({ TableName: names.log, CapacityUnits: 1 })]);
      const tables = reports[1].capacity.map((c) => c.TableName).sort();
      expect(tables).toEqual([names.log, names.objects].sort());
      for (const c of reports[1].capacity) expect(c.CapacityUnits).toBeGreaterThanOrEqual(2);
    });

    it.each([
      ['get', (h: DynamoHarness) => h.store.get(KEY), ['GetItem']],
      [
        'list',
        (h: DynamoHarness) => h.store.list('widgets', { namespace: 'ns1' }),
        // The type's position (latest row, head item) before and after the objects.
        ['Query', 'GetItem', 'Query', 'Query', 'GetItem'],
      ],
    ])('reports strongly consistent reads of a %s', async (_, verb, operations) => {
      const reports: Report[] = [];
      h = await dynamoHarness(endpoint, {
        onConsumedCapacity: (operation, capacity) => reports.push({ operation, capacity }),
      });
      await h.store.create(KEY, obj());
      reports.length = 0;
      await verb(h);
      expect(reports.map((r) => r.operation)).toEqual(operations);
      // Every item read is under 4 KB, so each strongly consistent read costs 1 unit (eventual would be 0.5).
      for (const r of reports) expect(r.capacity[0].CapacityUnits).toBe(1);
    });

    it('asks for capacity only through the store when the caller passes its own client', async () => {
      h = await dynamoHarness(endpoint);
      const seen: boolean[] = [];
      const client = observedClient(endpoint, seen);
      clients.push(client);
      const hook = vi.fn();
      const store = createDynamoStore({ client, tablePrefix: h.prefix, onConsumedCapacity: hook });
      await store.create(KEY, obj());
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every(Boolean)).toBe(true);
      const calls = hook.mock.calls.length;

      seen.length = 0;
      const names = tableNames(h.prefix);
      await client.send(
        new GetItemCommand({ TableName: names.objects, Key: { pk: { S: 'widgets' }, sk: { S: 'ns1#a' } } }),
      );
      expect(seen).toEqual([false]);
      expect(hook).toHaveBeenCalledTimes(calls);
      await store.close();
    });

    it('requests no capacity without a hook', async () => {
      h = await dynamoHarness(endpoint);
      const seen: boolean[] = [];
      const client = observedClient(endpoint, seen);
      clients.push(client);
      const store = createDynamoStore({ client, tablePrefix: h.prefix });
      await store.create(KEY, obj());
      await store.get(KEY);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.some(Boolean)).toBe(false);
      await store.close();
    });

    it('keeps a committed write and logs when the hook throws', async () => {
      const warn = vi.fn();
      h = await dynamoHarness(endpoint, {
        logger: { debug() {}, warn },
        onConsumedCapacity: () => {
          throw new Error('hook broke');
        },
      });
      const created = await h.store.create(KEY, obj());
      expect((await h.store.get(KEY)).metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ operation: 'TransactWriteItems', error: expect.stringContaining('hook broke') }),
        expect.any(String),
      );
    });
  });
}
