import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoStore } from '../../core/storage/dynamodb/dynamo-store.ts';
import { createDynamoTables, tableNames } from '../../core/storage/dynamodb/tables.ts';
import { startDynamoDbLocal, TEST_AWS } from './emulators.ts';
const emu = await startDynamoDbLocal();
const body = 'y'.repeat(2000);
try {
  // warm up
  { const c = new DynamoDBClient({ endpoint: emu.endpoint, ...TEST_AWS }); await createDynamoTables(c, tableNames('warm'));
    const s = createDynamoStore({ client: c, tablePrefix: 'warm' });
    for (let i = 0; i < 300; i++) await s.create({ resource: 'pods', namespace: 'ns', name: `w${i}` }, { metadata: { name: `w${i}` }, spec: { body } }); }
  for (const conc of [1, 8, 32]) {
    for (const mode of ['A-in-transaction', 'B-add-first']) {
      const client = new DynamoDBClient({ endpoint: emu.endpoint, ...TEST_AWS });
      const prefix = `b${conc}${mode[0]}`; const t = tableNames(prefix);
      await createDynamoTables(client, t);
      let txns = 0;
      client.middlewareStack.add((next, c) => async (a) => { if (c.commandName === 'TransactWriteItemsCommand') txns++; return next(a); }, { step: 'initialize' });
      const store = createDynamoStore({ client, tablePrefix: prefix });
      const doc = DynamoDBDocumentClient.from(client);
      const writeB = async (name: string) => {
        const out = await doc.send(new UpdateCommand({ TableName: t.log, Key: { pk: 'pods', sk: 0 }, UpdateExpression: 'ADD rev :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'UPDATED_NEW' }));
        const rev = Number(out.Attributes!.rev);
        await doc.send(new TransactWriteCommand({ TransactItems: [
          { Put: { TableName: t.objects, Item: { pk: 'pods', sk: `ns#${name}`, rv: rev, body }, ConditionExpression: 'attribute_not_exists(sk)' } },
          { Put: { TableName: t.log, Item: { pk: 'pods', sk: rev, type: 'ADDED', body } } } ] }));
      };
      const per = 480 / conc;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: conc }, async (_, w) => {
        for (let i = 0; i < per; i++) {
          const name = `w${w}-${i}`;
          if (mode.startsWith('A')) await store.create({ resource: 'pods', namespace: 'ns', name }, { metadata: { name, namespace: 'ns' }, spec: { body } });
          else await writeB(name);
        }
      }));
      const ms = performance.now() - t0;
      console.log(JSON.stringify({ mode, concurrency: conc, writes: 480, writesPerSec: Math.round(480 / (ms / 1000)), transactionsPerWrite: +(txns / 480).toFixed(2) }));
      await store.close();
    }
  }
} finally { await emu.stop(); }
