/**
 * Stream records as the DynamoDB Streams API returns them (SDK v3 shapes:
 * Dates, binary as bytes, capitalised identity) → the records a Lambda event
 * source mapping delivers (`aws-lambda`'s DynamoDBRecord: epoch seconds,
 * binary as base64), so one handler (and one `toStoreEvents`) serves both.
 */
import type { AttributeValue as SdkValue, _Record } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

type SdkImage = Record<string, SdkValue> | undefined;

const base64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** One attribute value in Lambda's JSON form. */
function toLambdaValue(v: SdkValue): AttributeValue {
  if (v.S !== undefined) return { S: v.S };
  if (v.N !== undefined) return { N: v.N };
  if (v.BOOL !== undefined) return { BOOL: v.BOOL };
  if (v.NULL !== undefined) return { NULL: v.NULL };
  if (v.B !== undefined) return { B: base64(v.B) };
  if (v.SS !== undefined) return { SS: v.SS };
  if (v.NS !== undefined) return { NS: v.NS };
  if (v.BS !== undefined) return { BS: v.BS.map(base64) };
  if (v.L !== undefined) return { L: v.L.map(toLambdaValue) };
  if (v.M !== undefined) return { M: toLambdaImage(v.M)! };
  throw new Error(`unknown attribute value type: ${Object.keys(v).join(', ')}`);
}

function toLambdaImage(image: SdkImage): Record<string, AttributeValue> | undefined {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, toLambdaValue(v)]));
}

/** Converts one Streams API record from `streamArn` to the event source mapping's record shape. */
export function toLambdaRecord(r: _Record, streamArn: string): DynamoDBRecord {
  const d = r.dynamodb;
  const out: DynamoDBRecord = defined({
    eventID: r.eventID,
    eventName: r.eventName,
    eventVersion: r.eventVersion,
    eventSource: r.eventSource,
    awsRegion: r.awsRegion,
    eventSourceARN: streamArn,
    dynamodb:
      d &&
      defined({
        ApproximateCreationDateTime:
          d.ApproximateCreationDateTime && Math.floor(d.ApproximateCreationDateTime.getTime() / 1000),
        Keys: toLambdaImage(d.Keys),
        NewImage: toLambdaImage(d.NewImage),
        OldImage: toLambdaImage(d.OldImage),
        SequenceNumber: d.SequenceNumber,
        SizeBytes: d.SizeBytes,
        StreamViewType: d.StreamViewType,
      }),
  });
  // Only TTL deletions carry an identity (type Service, principal dynamodb.amazonaws.com).
  if (r.userIdentity) out.userIdentity = { type: r.userIdentity.Type, principalId: r.userIdentity.PrincipalId };
  return out;
}

/** `o` without its undefined fields, as JSON delivered to Lambda has none. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
