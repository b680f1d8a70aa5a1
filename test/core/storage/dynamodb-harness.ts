/**
 * A fresh pair of DynamoDB tables per test (unique prefix), a store over
 * them, and cleanup that closes the store and deletes the tables.
 */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoStore, type DynamoStoreOptions } from '../../../core/storage/dynamodb/dynamo-store.ts';
import { createDynamoTables, tableNames } from '../../../core/storage/dynamodb/tables.ts';
import type { Store } from '../../../core/storage/store.ts';
import type { StoreHarness } from '../../conformance/store.ts';
import { TEST_AWS } from '../../support/emulators.ts';

/** A harness plus the raw client and table names, for tests that look under the store. */
export interface DynamoHarness extends StoreHarness {
  client: DynamoDBClient;
  prefix: string;
  /** Another store over the same tables (another process, in production). */
  open(extra?: Partial<DynamoStoreOptions>): Store;
}

/** Creates tables `skube-test-<random>-{objects,log}` at `endpoint` and a store over them. */
export async function dynamoHarness(endpoint: string, extra: Partial<DynamoStoreOptions> = {}): Promise<DynamoHarness> {
  const client = new DynamoDBClient({ endpoint, ...TEST_AWS });
  const prefix = `skube-test-${randomBytes(6).toString('hex')}`;
  const names = tableNames(prefix);
  await createDynamoTables(client, names);
  const opened: Store[] = [];
  const open = (more: Partial<DynamoStoreOptions> = {}) => {
    const s = createDynamoStore({ endpoint, ...TEST_AWS, tablePrefix: prefix, watchPollMillis: 50, ...extra, ...more });
    opened.push(s);
    return s;
  };
  return {
    client,
    prefix,
    open,
    store: open(),
    reopen: async () => open(),
    cleanup: async () => {
      await Promise.all(opened.map((s) => s.close()));
      await Promise.all(
        [names.objects, names.log].map((TableName) =>
          client.send(new DeleteTableCommand({ TableName })).catch(() => {}),
        ),
      );
      client.destroy();
    },
  };
}
