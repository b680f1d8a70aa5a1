/**
 * A DynamoDB Streams client answering from in-memory shards, for what
 * DynamoDB Local cannot be made to do: split shards (lineage), close them,
 * expire iterators. It is a real `DynamoDBStreamsClient` whose middleware
 * answers DescribeStream, GetShardIterator and GetRecords before anything is
 * sent, so the code under test runs exactly as against the service.
 */
import {
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';

/** One shard of the fake stream. Push to `records` to append; set `closed` to close it. */
export interface FakeShard {
  id: string;
  parent?: string;
  records: _Record[];
  closed: boolean;
}

/** The fake stream and what was asked of it. */
export interface FakeStream {
  arn: string;
  shards: FakeShard[];
  client: DynamoDBStreamsClient;
  /** GetRecords calls per shard, in order. */
  reads: string[];
  /** The next GetRecords on `shardId` fails with ExpiredIteratorException. */
  expireNextIterator(shardId: string): void;
}

let counter = 0;

/** A stream record of an item `pk`/`sk` with sequence number `seq`. */
export function fakeRecord(seq: number, pk = 'widgets', sk = seq): _Record {
  return {
    eventID: `fake-${seq}-${counter++}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2025-01-01T00:00:00Z'),
      Keys: { pk: { S: pk }, sk: { N: String(sk) } },
      NewImage: { pk: { S: pk }, sk: { N: String(sk) } },
      SequenceNumber: String(seq).padStart(21, '0'),
      SizeBytes: 20,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/** A fake stream over `shards`. */
export function fakeStream(shards: FakeShard[]): FakeStream {
  const arn = 'arn:aws:dynamodb:us-east-1:123456789012:table/fake-log/stream/2025-01-01T00:00:00.000';
  const reads: string[] = [];
  const expiring = new Set<string>();
  const shard = (id: string) => {
    const s = shards.find((x) => x.id === id);
    if (!s) throw new Error(`no shard ${id}`);
    return s;
  };
  const answer = (command: string, input: Record<string, unknown>): unknown => {
    switch (command) {
      case 'DescribeStreamCommand':
        return {
          StreamDescription: {
            StreamArn: arn,
            StreamStatus: 'ENABLED',
            Shards: shards.map((s): Shard => ({
              ShardId: s.id,
              ParentShardId: s.parent,
              SequenceNumberRange: { StartingSequenceNumber: s.records[0]?.dynamodb?.SequenceNumber ?? '0' },
            })),
          },
        };
      case 'GetShardIteratorCommand': {
        const s = shard(input.ShardId as string);
        const at =
          input.ShardIteratorType === 'TRIM_HORIZON'
            ? 0
            : s.records.findIndex((r) => r.dynamodb?.SequenceNumber === input.SequenceNumber) + 1;
        return { ShardIterator: `${s.id}|${at}` };
      }
      case 'GetRecordsCommand': {
        const [id, at] = (input.ShardIterator as string).split('|');
        reads.push(id);
        if (expiring.delete(id)) throw new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} });
        const s = shard(id);
        const from = Number(at);
        const out = s.records.slice(from, from + Number(input.Limit ?? 1000));
        const next = from + out.length;
        return { Records: out, NextShardIterator: s.closed && next >= s.records.length ? undefined : `${id}|${next}` };
      }
      default:
        throw new Error(`the fake stream does not answer ${command}`);
    }
  };
  const client = new DynamoDBStreamsClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
  });
  client.middlewareStack.add(
    (_next, context) => async (args) => ({
      output: answer(context.commandName ?? '', args.input as Record<string, unknown>) as never,
      response: {},
    }),
    { step: 'initialize', name: 'fakeStream' },
  );
  return { arn, shards, client, reads, expireNextIterator: (id) => expiring.add(id) };
}
