/**
 * PendingMarks in DynamoDB, shared by every container of every function that
 * adds to or consumes a work queue, so deduplication holds across a Lambda
 * fleet. One item per (queue, key) in the marks table (`<prefix>-marks`, pk
 * S only): `pk = <scope>#<key>`, `token`, `dueAt` and `expiresAt` (epoch ms,
 * exact), and `ttl` (epoch s, the table's TTL attribute) so marks of lost
 * messages also leave the table. `claim` is one conditional PutItem,
 * `release` one DeleteItem conditional on the token, `get` a strongly
 * consistent GetItem: 1 WRU per add and per consumed message (marks are far
 * under 1 KB). Throttling is retried by the SDK; other failures are thrown.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { PendingMark, PendingMarks } from './pending-marks.ts';

/** Attribute names of the marks table. */
export const MARK_ATTR = { pk: 'pk', token: 'token', dueAt: 'dueAt', expiresAt: 'expiresAt', ttl: 'ttl' } as const;

/** The marks table of a store's table prefix (the functions' `SKUBE_TABLE_PREFIX`): `<prefix>-marks`. */
export function pendingMarksTableName(tablePrefix: string): string {
  return `${tablePrefix}-marks`;
}

/** Options of DynamoPendingMarks. */
export interface DynamoPendingMarksOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Keeps the marks of different queues sharing the table apart, such as the queue's name. */
  scope: string;
}

/** PendingMarks over the DynamoDB marks table (see the module comment). */
export class DynamoPendingMarks implements PendingMarks {
  constructor(private readonly opts: DynamoPendingMarksOptions) {}

  async claim(key: string, mark: PendingMark, now: number): Promise<boolean> {
    try {
      await this.opts.client.send(
        new PutItemCommand({
          TableName: this.opts.tableName,
          Item: {
            [MARK_ATTR.pk]: { S: this.pk(key) },
            [MARK_ATTR.token]: { S: mark.token },
            [MARK_ATTR.dueAt]: { N: String(mark.dueAt) },
            [MARK_ATTR.expiresAt]: { N: String(mark.expiresAt) },
            [MARK_ATTR.ttl]: { N: String(Math.ceil(mark.expiresAt / 1000)) },
          },
          // No mark, a mark due later than this one (an earlier add wins), or one that no longer blocks.
          ConditionExpression: 'attribute_not_exists(#pk) OR #due > :due OR #exp < :now',
          ExpressionAttributeNames: { '#pk': MARK_ATTR.pk, '#due': MARK_ATTR.dueAt, '#exp': MARK_ATTR.expiresAt },
          ExpressionAttributeValues: { ':due': { N: String(mark.dueAt) }, ':now': { N: String(now) } },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw e;
    }
  }

  async get(key: string, now: number): Promise<PendingMark | undefined> {
    const out = await this.opts.client.send(
      new GetItemCommand({
        TableName: this.opts.tableName,
        Key: { [MARK_ATTR.pk]: { S: this.pk(key) } },
        ConsistentRead: true,
      }),
    );
    const item = out.Item;
    if (!item) return undefined;
    const mark: PendingMark = {
      token: item[MARK_ATTR.token]?.S ?? '',
      dueAt: Number(item[MARK_ATTR.dueAt]?.N),
      expiresAt: Number(item[MARK_ATTR.expiresAt]?.N),
    };
    return mark.expiresAt >= now ? mark : undefined;
  }

  async release(key: string, token: string): Promise<void> {
    try {
      await this.opts.client.send(
        new DeleteItemCommand({
          TableName: this.opts.tableName,
          Key: { [MARK_ATTR.pk]: { S: this.pk(key) } },
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': MARK_ATTR.token },
          ExpressionAttributeValues: { ':token': { S: token } },
        }),
      );
    } catch (e) {
      // Gone already, or claimed by a newer message: either way not ours to delete.
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
    }
  }

  private pk(key: string): string {
    return `${this.opts.scope}#${key}`;
  }
}

/**
 * Creates the marks table (on-demand, TTL on `ttl`) for tests, local runs and
 * emulators; in AWS the CDK stack owns it. Idempotent; TTL errors are ignored
 * (emulators may not support it, and expired marks never block a claim).
 */
export async function createPendingMarksTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: MARK_ATTR.pk, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: MARK_ATTR.pk, KeyType: 'HASH' }],
      }),
    );
  } catch (e) {
    if (!(e instanceof ResourceInUseException)) throw e;
  }
  await waitUntilTableExists({ client, maxWaitTime: 120, minDelay: 1 }, { TableName: tableName });
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: MARK_ATTR.ttl, Enabled: true },
      }),
    )
    .catch(() => undefined);
}
