/**
 * DynamoPendingMarks against DynamoDB Local: the PendingMarks contract, marks
 * shared between two instances (two containers), the item it stores, and a
 * work queue deduplicating through it.
 */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createPendingMarksTable,
  DynamoPendingMarks,
  pendingMarksTableName,
} from '../../../functions/lib/dynamo-pending-marks.ts';
import { dynamoForTests, TEST_AWS } from '../../support/emulators.ts';
import { describePendingMarks } from '../support/pending-marks-suite.ts';

const dynamo = await dynamoForTests();
afterAll(() => ('stop' in dynamo ? dynamo.stop() : undefined));

if ('skip' in dynamo) {
  console.warn(`skipping the DynamoDB pending marks tests: ${dynamo.skip}`);
  describe.skip(`DynamoPendingMarks (${dynamo.skip})`, () => {
    it('needs DynamoDB', () => {});
  });
} else {
  const endpoint = dynamo.endpoint;
  const tables: { client: DynamoDBClient; name: string }[] = [];
  /** A fresh marks table; marks over it in `scope`. */
  const freshTable = async () => {
    const client = new DynamoDBClient({ endpoint, ...TEST_AWS });
    const name = pendingMarksTableName(`skube-test-${randomBytes(6).toString('hex')}`);
    await createPendingMarksTable(client, name);
    tables.push({ client, name });
    return { client, name, marks: (scope = 'work') => new DynamoPendingMarks({ client, tableName: name, scope }) };
  };
  afterEach(async () => {
    for (const t of tables.splice(0)) {
      await t.client.send(new DeleteTableCommand({ TableName: t.name })).catch(() => {});
      t.client.destroy();
    }
  });

  describePendingMarks('dynamodb', async () => ({ marks: (await freshTable()).marks() }));

  describe('DynamoPendingMarks', () => {
    it('shares marks between instances, as between containers', async () => {
      const t = await freshTable();
      const [a, b] = [t.marks(), t.marks()];
      expect(await a.claim('k', { token: 'x', dueAt: 100, expiresAt: 1100 }, 0)).toBe(true);
      expect(await b.claim('k', { token: 'y', dueAt: 200, expiresAt: 1200 }, 0)).toBe(false);
      await b.release('k', 'x');
      expect(await a.get('k', 0)).toBeUndefined();
    });

    it('keeps the marks of two queues in one table apart', async () => {
      const t = await freshTable();
      expect(await t.marks('work').claim('k', { token: 'x', dueAt: 100, expiresAt: 1100 }, 0)).toBe(true);
      expect(await t.marks('other').claim('k', { token: 'y', dueAt: 100, expiresAt: 1100 }, 0)).toBe(true);
    });

    it('stores the mark with a TTL in epoch seconds', async () => {
      const t = await freshTable();
      await t
        .marks()
        .claim('deployments:ns/web', { token: 'x', dueAt: 1_700_000_000_000, expiresAt: 1_700_000_900_001 }, 0);
      const out = await t.client.send(
        new GetItemCommand({ TableName: t.name, Key: { pk: { S: 'work#deployments:ns/web' } }, ConsistentRead: true }),
      );
      expect(out.Item).toEqual({
        pk: { S: 'work#deployments:ns/web' },
        token: { S: 'x' },
        dueAt: { N: '1700000000000' },
        expiresAt: { N: '1700000900001' },
        ttl: { N: '1700000901' },
      });
    });

    it('creates its table idempotently', async () => {
      const t = await freshTable();
      await createPendingMarksTable(t.client, t.name);
      expect(await t.marks().claim('k', { token: 'x', dueAt: 1, expiresAt: 2 }, 0)).toBe(true);
    });
  });
}
