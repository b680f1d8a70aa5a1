/**
 * The store a local cluster runs on: the embedded SQLite file in its data
 * directory (the default), or DynamoDB tables — DynamoDB Local, LocalStack,
 * or real AWS — for trying the AWS store with the local API server and
 * controllers. With DynamoDB the controllers are still driven by the store's
 * own watch (it polls the log table), not by the log table's stream.
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoStore } from '../core/storage/dynamodb/dynamo-store.ts';
import { createDynamoTables, tableNames } from '../core/storage/dynamodb/tables.ts';
import { createSqliteStore } from '../core/storage/sqlite/sqlite-store.ts';
import type { Store } from '../core/storage/store.ts';

/** A local cluster's DynamoDB store. */
export interface LocalDynamoStoreOptions {
  kind: 'dynamodb';
  /** DynamoDB Local, LocalStack…; omitted means AWS's regional endpoint. */
  endpoint?: string;
  /** Omitted: the SDK's default chain. */
  region?: string;
  /** Omitted: the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Tables `<tablePrefix>-objects` and `<tablePrefix>-log` (default `skube`). */
  tablePrefix?: string;
  /** Create the tables when missing. Default: only when `endpoint` is an emulator (not `*.amazonaws.com`). */
  createTables?: boolean;
}

/** Where a local cluster keeps its objects. */
export type LocalStoreOptions = { kind: 'sqlite' } | LocalDynamoStoreOptions;

/** The default table prefix of `skube up --store dynamodb`. */
export const DEFAULT_TABLE_PREFIX = 'skube';

/** True when `endpoint` is not one of AWS's own (so it is an emulator that holds nothing until told). */
export function isEmulatorEndpoint(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  return !new URL(endpoint).hostname.endsWith('.amazonaws.com');
}

/**
 * Opens the store for a cluster with data directory `dataDir`. For DynamoDB,
 * creates the tables first when asked to (or on an emulator); otherwise
 * they must exist. Throws when the tables cannot be created.
 */
export async function openLocalStore(
  dataDir: string,
  store: LocalStoreOptions = { kind: 'sqlite' },
  compaction?: { keepRevisions?: number; keepMillis?: number; intervalMillis?: number },
): Promise<Store> {
  if (store.kind === 'sqlite') return createSqliteStore({ path: join(dataDir, 'skube.db'), compaction });
  const tables = tableNames(store.tablePrefix ?? DEFAULT_TABLE_PREFIX);
  const clientConfig = { endpoint: store.endpoint, region: store.region, credentials: store.credentials };
  if (store.createTables ?? isEmulatorEndpoint(store.endpoint)) {
    const client = new DynamoDBClient(clientConfig);
    try {
      await createDynamoTables(client, tables);
    } finally {
      client.destroy();
    }
  }
  return createDynamoStore({ ...clientConfig, tables });
}

/** The `skube up` flags that choose the store. */
export interface StoreFlags {
  store: 'sqlite' | 'dynamodb';
  dynamodbEndpoint?: string;
  dynamodbTablePrefix?: string;
  region?: string;
  createTables?: boolean;
}

/** Credentials for emulators when none are configured: DynamoDB Local accepts any made of letters and digits. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'skube', secretAccessKey: 'skube' };

/**
 * The store options `skube up` flags ask for, reading the AWS variables of
 * `env` for defaults: the region from `--region`, AWS_REGION or
 * AWS_DEFAULT_REGION (`us-east-1` on an emulator); on an emulator with no
 * AWS_ACCESS_KEY_ID or AWS_PROFILE set, fixed credentials, so a machine
 * without an AWS setup can still use DynamoDB Local. Throws when DynamoDB
 * flags come without `--store dynamodb`, or the endpoint is not a URL.
 */
export function storeFromFlags(flags: StoreFlags, env: Record<string, string | undefined>): LocalStoreOptions {
  if (flags.store === 'sqlite') {
    if (flags.dynamodbEndpoint || flags.dynamodbTablePrefix || flags.createTables) {
      throw new Error('--dynamodb-endpoint, --dynamodb-table-prefix and --create-tables need --store dynamodb');
    }
    return { kind: 'sqlite' };
  }
  const endpoint = flags.dynamodbEndpoint;
  if (endpoint && !URL.canParse(endpoint)) throw new Error(`--dynamodb-endpoint ${endpoint} is not a URL`);
  const emulator = isEmulatorEndpoint(endpoint);
  const configured = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE);
  return {
    kind: 'dynamodb',
    endpoint,
    region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (emulator ? 'us-east-1' : undefined),
    credentials: emulator && !configured ? EMULATOR_CREDENTIALS : undefined,
    tablePrefix: flags.dynamodbTablePrefix ?? DEFAULT_TABLE_PREFIX,
    createTables: flags.createTables || emulator,
  };
}
