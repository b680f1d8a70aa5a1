/**
 * The reader `stream-events.ts` is given for previous bodies that did not fit
 * in their log row: a strongly consistent GetItem of the overflow row
 * (`<resource>#prev`, sk = revision), written in the same transaction as the
 * row, so it exists unless compaction or TTL removed it since.
 */
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { ReadOverflowPrev } from './stream-events.ts';
import { ATTR, type DynamoTableNames, overflowPartition } from './tables.ts';

/**
 * A `ReadOverflowPrev` over `client` and `tables`. Resolves the stored
 * (compressed) previous body, or undefined when the overflow row is gone; rejects with the SDK's error when the read fails (the
 * SDK has already retried throttling), so the record is retried.
 */
export function createOverflowPrevReader(client: DynamoDBClient, tables: DynamoTableNames): ReadOverflowPrev {
  return async (resource, revision) => {
    const out = await client.send(
      new GetItemCommand({
        TableName: tables.log,
        Key: { [ATTR.pk]: { S: overflowPartition(resource) }, [ATTR.sk]: { N: String(revision) } },
        ProjectionExpression: '#prev',
        ExpressionAttributeNames: { '#prev': ATTR.prev },
        ConsistentRead: true,
      }),
    );
    const prev = out.Item?.[ATTR.prev];
    return prev?.B ?? prev?.S;
  };
}
