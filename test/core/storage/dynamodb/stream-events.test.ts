/**
 * Log-table stream records, shaped as Lambda delivers them (DynamoDB JSON
 * images, epoch-second timestamps), decoded into StoreEvents: the three
 * change types, records that are not changes, overflowed previous bodies,
 * malformed records, and redelivery.
 */
import { randomBytes } from 'node:crypto';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { LOG_INLINE_BYTES, logItems, stamp } from '../../../../core/storage/dynamodb/codec.ts';
import { decodeStreamRecord, streamDecoder, toStoreEvents } from '../../../../core/storage/dynamodb/stream-events.ts';
import type { StoreEventType } from '../../../../core/storage/store.ts';
import { makeObject } from '../../../fixtures/store-objects.ts';

const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/skube-log/stream/2025-01-01T00:00:00.000';
let seq = 100;

type Image = Record<string, AttributeValue>;

/** A stream record of the log table as an event source mapping hands it to Lambda. */
function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  item: Record<string, unknown>,
  extra: Partial<DynamoDBRecord> = {},
): DynamoDBRecord {
  const image = marshall(item) as Image;
  const keys: Image = { pk: image.pk, sk: image.sk };
  seq += 1;
  return {
    eventID: `ev-${seq}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1735689600,
      Keys: keys,
      ...(eventName === 'REMOVE' ? {} : { NewImage: image }),
      SequenceNumber: String(seq).padStart(21, '0'),
      SizeBytes: JSON.stringify(item).length,
      StreamViewType: 'NEW_IMAGE',
    },
    eventSourceARN: ARN,
    ...extra,
  };
}

/** `n` characters of random base64, which compression cannot shrink much. */
const noise = (n: number) => randomBytes(n).toString('base64').slice(0, n);
/** Two bodies that do not fit one log row even compressed. */
const BIG = Math.ceil(LOG_INLINE_BYTES / 1.4);

const v1 = stamp(makeObject({ name: 'a', namespace: 'ns1', spec: { n: 1 } }), 7);
const v2 = stamp(makeObject({ name: 'a', namespace: 'ns1', spec: { n: 2 } }), 8);

/** The INSERT of log row `revision` of `resource` written by the store for a change from `prev` to `body`. */
function change(type: StoreEventType, revision: number, body?: KubeObject, prev?: KubeObject, resource = 'widgets') {
  const { row, overflow } = logItems(resource, {
    revision,
    type,
    namespace: 'ns1',
    name: 'a',
    body: body && JSON.stringify(body),
    prev: prev && JSON.stringify(prev),
    expiresAt: 1735689900,
  });
  return { row: record('INSERT', row), overflow: overflow && record('INSERT', overflow) };
}

describe('toStoreEvents', () => {
  it('turns an ADDED row into an ADDED event without prevObject', async () => {
    const r = change('ADDED', 7, v1).row;
    const out = await toStoreEvents([r]);
    expect(out).toEqual({
      events: [{ resource: 'widgets', eventID: r.eventID, event: { type: 'ADDED', object: v1, revision: 7 } }],
      skipped: [],
      failed: [],
    });
  });

  it('turns a MODIFIED row into an event with the object after and before', async () => {
    const out = await toStoreEvents([change('MODIFIED', 8, v2, v1).row]);
    expect(out.events.map((e) => e.event)).toEqual([{ type: 'MODIFIED', object: v2, prevObject: v1, revision: 8 }]);
  });

  it('decodes compressed bodies that arrive base64-encoded, as Lambda delivers binaries', async () => {
    const r = change('MODIFIED', 8, v2, v1).row;
    const image = r.dynamodb!.NewImage!;
    expect(image.body.B).toBeInstanceOf(Uint8Array);
    for (const attr of ['body', 'prev']) {
      image[attr] = { B: Buffer.from(image[attr].B as unknown as Uint8Array).toString('base64') };
    }
    const out = await toStoreEvents([r]);
    expect(out.events.map((e) => e.event)).toEqual([{ type: 'MODIFIED', object: v2, prevObject: v1, revision: 8 }]);
  });

  it('turns a DELETED row into the last state stamped with the deletion revision', async () => {
    const out = await toStoreEvents([change('DELETED', 9, undefined, v2).row]);
    expect(out.events.map((e) => e.event)).toEqual([
      { type: 'DELETED', object: stamp(v2, 9), prevObject: v2, revision: 9 },
    ]);
  });

  it('decodes a record as DynamoDB Local streamed it', async () => {
    const body =
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"a","resourceVersion":"1"},"data":{"a":"1"}}';
    const captured: DynamoDBRecord = {
      eventID: '0b985463-d472-4dc7-9a55-47be1a1c763f',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      dynamodb: {
        ApproximateCreationDateTime: 1795466880,
        Keys: { sk: { N: '1' }, pk: { S: 'configmaps' } },
        NewImage: {
          ns: { S: 'a' },
          sk: { N: '1' },
          name: { S: 'x' },
          pk: { S: 'configmaps' },
          type: { S: 'ADDED' },
          body: { S: body },
          expiresAt: { N: '1795467220' },
        },
        SequenceNumber: '000000000000000000003',
        SizeBytes: 185,
        StreamViewType: 'NEW_IMAGE',
      },
    };
    const out = await toStoreEvents([captured]);
    expect(out.events).toEqual([
      {
        resource: 'configmaps',
        eventID: captured.eventID,
        event: { type: 'ADDED', object: JSON.parse(body), revision: 1 },
      },
    ]);
  });

  it.each<[string, () => DynamoDBRecord]>([
    ['the head row created', () => record('INSERT', { pk: 'widgets', sk: 0, rev: 1 })],
    ['the head row advanced', () => record('MODIFY', { pk: 'widgets', sk: 0, rev: 2 })],
    [
      'an overflow row',
      () => change('MODIFIED', 8, { ...v2, spec: { big: noise(BIG) } }, { ...v1, spec: { big: noise(BIG) } }).overflow!,
    ],
    [
      'a TTL removal',
      () =>
        record(
          'REMOVE',
          { pk: 'widgets', sk: 3 },
          { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } },
        ),
    ],
    ['a compaction removal', () => record('REMOVE', { pk: 'widgets', sk: 3 })],
  ])('skips %s', async (_name, make) => {
    const r = make();
    expect(r.eventID).toBeTruthy();
    expect(await toStoreEvents([r])).toEqual({ events: [], skipped: [r.eventID], failed: [] });
  });

  describe('overflowed previous bodies', () => {
    const big = { ...v1, spec: { big: noise(BIG) } };
    const bigV2 = { ...v2, spec: { big: noise(BIG) } };
    const { row, overflow } = change('MODIFIED', 8, bigV2, big);
    const stored = unmarshall(overflow!.dynamodb!.NewImage as never).prev as Uint8Array;

    it('reads the previous body through the injected reader', async () => {
      const readOverflowPrev = vi.fn(async () => stored);
      const out = await toStoreEvents([row], { readOverflowPrev });
      expect(readOverflowPrev).toHaveBeenCalledWith('widgets', 8);
      expect(out.events.map((e) => e.event)).toEqual([
        { type: 'MODIFIED', object: bigV2, prevObject: big, revision: 8 },
      ]);
    });

    it('leaves prevObject out when the overflow row is gone or no reader is given', async () => {
      for (const opts of [{ readOverflowPrev: async () => undefined }, {}]) {
        const out = await toStoreEvents([row], opts);
        expect(out.events.map((e) => e.event)).toEqual([{ type: 'MODIFIED', object: bigV2, revision: 8 }]);
      }
    });

    it('fails the record when the read fails', async () => {
      const out = await toStoreEvents([row], {
        readOverflowPrev: async () => {
          throw new Error('throttled');
        },
      });
      expect(out.events).toEqual([]);
      expect(out.failed).toEqual([
        { eventID: row.eventID, sequenceNumber: row.dynamodb?.SequenceNumber, error: expect.any(Error) },
      ]);
      expect(out.failed[0].error.message).toMatch(/throttled/);
    });
  });

  it.each<[string, () => DynamoDBRecord, RegExp]>([
    [
      'a KEYS_ONLY record',
      () => {
        const r = change('ADDED', 7, v1).row;
        delete r.dynamodb?.NewImage;
        return r;
      },
      /NEW_IMAGE/,
    ],
    [
      'a row with a body that is not JSON',
      () => record('INSERT', { pk: 'widgets', sk: 4, type: 'ADDED', body: '{' }),
      /malformed body/,
    ],
    ['a row without a type', () => record('INSERT', { pk: 'widgets', sk: 4, body: '{}' }), /malformed log row/],
    ['a record of another table', () => record('INSERT', { pk: 'widgets', sk: 'ns1#a' }), /keys/],
    ['an unknown eventName', () => ({ ...change('ADDED', 7, v1).row, eventName: undefined }), /eventName/],
  ])('fails %s instead of dropping it', async (_name, make, message) => {
    const r = make();
    const out = await toStoreEvents([r]);
    expect(out.events).toEqual([]);
    expect(out.skipped).toEqual([]);
    expect(out.failed.map((f) => f.eventID)).toEqual([r.eventID]);
    expect(out.failed[0].error.message).toMatch(message);
  });

  it('reports a redelivered change once and keeps record order across items', async () => {
    const a = change('ADDED', 7, v1).row;
    const b = change('ADDED', 3, stamp(makeObject({ name: 'b', namespace: 'ns1' }), 3), undefined, 'gadgets').row;
    const out = await toStoreEvents([a, b, { ...a, eventID: 'again' }]);
    expect(out.events.map((e) => [e.resource, e.event.revision])).toEqual([
      ['widgets', 7],
      ['gadgets', 3],
    ]);
    expect(out.skipped).toEqual(['again']);
  });
});

describe('decodeStreamRecord', () => {
  it('gives objects that share nothing between object and prevObject', async () => {
    const decoded = await decodeStreamRecord(change('DELETED', 9, undefined, v2).row);
    expect(decoded?.event.object).not.toBe(decoded?.event.prevObject);
    expect(decoded?.event.object.spec).not.toBe(decoded?.event.prevObject?.spec);
  });
});

describe('streamDecoder', () => {
  it('answers one result per record, in order, with errors in place', async () => {
    const good = change('ADDED', 7, v1).row;
    const head = record('MODIFY', { pk: 'widgets', sk: 0, rev: 7 });
    const bad = record('INSERT', { pk: 'widgets', sk: 5, type: 'ADDED', body: 'nope' });
    const out = await streamDecoder()([good, head, bad]);
    expect(out).toHaveLength(3);
    expect(out[0]).toEqual({
      events: [{ resource: 'widgets', eventID: good.eventID, event: expect.objectContaining({ revision: 7 }) }],
    });
    expect(out[1]).toEqual({ events: [] });
    expect(out[2]).toEqual({ error: expect.any(Error) });
  });
});
