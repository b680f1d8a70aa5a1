/**
 * The DynamoDB data model of the store: table names, key layout and the
 * attribute names every other file of the backend (and the CDK stack that
 * provisions the tables) agrees on. See README.md for the reasoning.
 *
 * - objects table: pk = resource (S), sk = `<namespace>#<name>` (S).
 *   One Query per list: a whole type (pk), one namespace (begins_with on sk),
 *   and strongly consistent, which a GSI could not be.
 * - log table: pk = resource (S), sk = revision (N). Rows 1… are the
 *   revision log; the highest row is the type's current revision (rows are
 *   written at latest + 1 on condition that they do not exist yet, in the
 *   same transaction as the object). Row 0 is the type's head: its compacted
 *   revision and the revision floor deletes leave behind. Rows expire for
 *   readers at `expiresAt` and for DynamoDB's TTL at `ttl`, an hour later.
 *   Oversized previous bodies live under pk = `<resource>#prev`.
 */
import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  type StreamSpecification,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/** The two tables of one store. */
export interface DynamoTableNames {
  objects: string;
  log: string;
}

/** The table names for a prefix: `<prefix>-objects` and `<prefix>-log`. */
export function tableNames(prefix: string): DynamoTableNames {
  return { objects: `${prefix}-objects`, log: `${prefix}-log` };
}

/** Attribute names of both tables. Short, since attribute names count towards every item's size. */
export const ATTR = {
  pk: 'pk',
  sk: 'sk',
  namespace: 'ns',
  name: 'name',
  /** objects: the stored resourceVersion (N), the write condition of updates and deletes. */
  revision: 'rv',
  /** objects: the object (B, see `body-codec.ts`); log: the state after the change (absent for DELETED). */
  body: 'body',
  /** log: the state before the change (B, compressed against `body`; absent for ADDED, or moved to the overflow row). */
  prev: 'prev',
  /** log: true when `prev` lives in the overflow row. */
  prevOverflow: 'prevx',
  /** log: ADDED | MODIFIED | DELETED. */
  type: 'type',
  /** log: epoch seconds after which readers treat the row as gone (the log's retention). */
  expiresAt: 'expiresAt',
  /** log: the TTL attribute (epoch seconds), `expiresAt` + TTL_GRACE_SECONDS: DynamoDB deletes rows only after it. */
  ttl: 'ttl',
  /** head: the revision counter of tables written before revisions were taken from the log (read as a floor). */
  head: 'rev',
  /** head: the revision of the latest delete; revisions never go below it (a delete leaves no object behind). */
  floor: 'floor',
  /** head: watches and continues at or below it are expired. */
  compacted: 'compacted',
} as const;

/** The log sort key of a type's head item; revisions start at 1. */
export const HEAD_SK = 0;

/**
 * How long after `expiresAt` DynamoDB's TTL may delete a log row. Readers
 * stop using a row at `expiresAt`; writers rely on the latest row being
 * present until `ttl` (see `log.ts`, `latestRevision`).
 */
export const TTL_GRACE_SECONDS = 3_600;

/** Separates namespace and name in the objects sort key; below every character a namespace may hold ([a-z0-9-]), so sk order is (namespace, name) order. */
export const KEY_SEPARATOR = '#';

/** The objects sort key of (namespace, name). */
export function objectSortKey(namespace: string, name: string): string {
  return `${namespace}${KEY_SEPARATOR}${name}`;
}

/** The log partition key holding overflowed previous bodies of a type. */
export function overflowPartition(resource: string): string {
  return `${resource}#prev`;
}

/**
 * The log table's stream, the source of watch events for control loops (see
 * `stream-events.ts`): each inserted log row is one change and carries the
 * bodies after and before it, so the new image is enough.
 */
export const LOG_STREAM: StreamSpecification = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' };

/**
 * Creates both tables (on-demand, TTL on the log, a NEW_IMAGE stream on the
 * log) for tests, local runs and emulators; in AWS the CDK stack owns them.
 * Idempotent: existing tables are left as they are. TTL errors are ignored
 * because emulators may not support it and readers check `expiresAt`
 * themselves.
 */
export async function createDynamoTables(client: DynamoDBClient, names: DynamoTableNames): Promise<void> {
  const make = async (TableName: string, skType: 'S' | 'N', stream?: StreamSpecification) => {
    try {
      await client.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: ATTR.pk, AttributeType: 'S' },
            { AttributeName: ATTR.sk, AttributeType: skType },
          ],
          KeySchema: [
            { AttributeName: ATTR.pk, KeyType: 'HASH' },
            { AttributeName: ATTR.sk, KeyType: 'RANGE' },
          ],
          StreamSpecification: stream,
        }),
      );
    } catch (e) {
      if (!(e instanceof ResourceInUseException)) throw e;
    }
    // Real DynamoDB creates tables asynchronously; emulators are ACTIVE at once.
    await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1 }, { TableName });
  };
  await Promise.all([make(names.objects, 'S'), make(names.log, 'N', LOG_STREAM)]);
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: names.log,
        TimeToLiveSpecification: { AttributeName: ATTR.ttl, Enabled: true },
      }),
    )
    .catch(() => undefined);
}
