import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoStore } from '../../core/storage/dynamodb/dynamo-store.ts';
import { createDynamoTables, tableNames } from '../../core/storage/dynamodb/tables.ts';
import { startDynamoDbLocal, TEST_AWS } from './emulators.ts';
const emu = await startDynamoDbLocal();
const body = 'y'.repeat(2000);
try {
  { const c = new DynamoDBClient({ endpoint: emu.endpoint, ...TEST_AWS }); await createDynamoTables(c, tableNames('warm'));
    const s = createDynamoStore({ client: c, tablePrefix: 'warm' });
    for (let i = 0; i < 300; i++) await s.create({ resource: 'pods', namespace: 'ns', name: `w${i}` }, { metadata: { name: `w${i}` }, spec: { body } }); }
  for (const conc of [1, 8, 32]) {
      const client = new DynamoDBClient({ endpoint: emu.endpoint, ...TEST_AWS });
      const prefix = `b${conc}`; await createDynamoTables(client, tableNames(prefix));
      let txns = 0;
      client.middlewareStack.add((next, c) => async (a) => { if (c.commandName === 'TransactWriteItemsCommand') txns++; return next(a); }, { step: 'initialize' });
      const store = createDynamoStore({ client, tablePrefix: prefix });
      const per = 480 / conc; const t0 = performance.now();
      await Promise.all(Array.from({ length: conc }, async (_, w) => {
        for (let i = 0; i < per; i++) { const name = `w${w}-${i}`; await store.create({ resource: 'pods', namespace: 'ns', name }, { metadata: { name, namespace: 'ns' }, spec: { body } }); }
      }));
      const ms = performance.now() - t0;
      console.log(process.argv[2], JSON.stringify({ concurrency: conc, writesPerSec: Math.round(480 / (ms / 1000)), transactionsPerWrite: +(txns / 480).toFixed(2) }));
      await store.close();
  }
} finally { await emu.stop(); }
