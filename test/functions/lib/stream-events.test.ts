import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/apiserver/types.ts';
import type { ControllerSpec } from '../../../core/controllers/runtime/controller.ts';
import type { StoreEvent } from '../../../core/storage/store.ts';
import type { Controllers } from '../../../functions/lib/controllers.ts';
import { type DecodedRecord, fanOutStreamBatch, type ToStoreEvents } from '../../../functions/lib/stream-events.ts';
import { type Image, streamRecord } from '../support/lambda-events.ts';

/** A watcher of pods keyed by the pod's namespace (as a ReplicaSet-like owner mapping would be). */
const byNamespace: ControllerSpec = {
  name: 'owner',
  watches: [{ resource: 'pods', keys: (e) => [e.object.metadata.namespace ?? ''] }],
  sync: async () => undefined,
  initialKeys: async () => [],
};
const controllers: Controllers = new Map([['owner', byNamespace]]);

const pod = (name: string, namespace: string): Image => ({
  pk: { S: 'pods' },
  body: { S: JSON.stringify({ metadata: { name, namespace, resourceVersion: '3' } }) },
});

/** A stand-in for the store's decoder: `pk` is the resource, `body` the object; rows marked `bad` fail. */
const fakeToStoreEvents: ToStoreEvents = async (records) =>
  records.map((r): DecodedRecord => {
    const image = r.dynamodb?.NewImage ?? r.dynamodb?.OldImage;
    if (!image?.body?.S) return { error: new Error('not a log row') };
    const event: StoreEvent = {
      type: r.eventName === 'INSERT' ? 'ADDED' : r.eventName === 'REMOVE' ? 'DELETED' : 'MODIFIED',
      object: JSON.parse(image.body.S),
      revision: 3,
    };
    return { events: [{ resource: image.pk.S ?? '', event }] };
  });

function run(records: DynamoDBRecord[], enqueue: (key: string) => Promise<unknown>, toStoreEvents = fakeToStoreEvents) {
  return fanOutStreamBatch(records, { toStoreEvents, controllers, enqueue, logger: silentLogger });
}

describe('fanOutStreamBatch', () => {
  it('queues each work key once per batch, however many records map to it', async () => {
    const queued: string[] = [];
    const records = [
      streamRecord('INSERT', { keys: { pk: { S: 'pods' } }, newImage: pod('a', 'team-a') }),
      streamRecord('MODIFY', { keys: { pk: { S: 'pods' } }, newImage: pod('b', 'team-a') }),
      streamRecord('REMOVE', { keys: { pk: { S: 'pods' } }, oldImage: pod('c', 'team-b') }),
    ];
    const out = await run(records, async (key) => queued.push(key));
    expect(queued.sort()).toEqual(['owner:team-a', 'owner:team-b']);
    expect(out).toEqual({ batchItemFailures: [], events: 3, keys: 2 });
  });

  it('reports a record that did not decode by its sequence number and still queues the rest', async () => {
    const queued: string[] = [];
    const good = streamRecord('INSERT', { keys: { pk: { S: 'pods' } }, newImage: pod('a', 'team-a') });
    const bad = streamRecord('INSERT', { keys: { pk: { S: 'pods' } }, newImage: { pk: { S: 'pods' } } });
    const out = await run([good, bad], async (key) => queued.push(key));
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: bad.dynamodb?.SequenceNumber }]);
    expect(queued).toEqual(['owner:team-a']);
  });

  it('fails exactly the records whose keys could not be queued', async () => {
    const a1 = streamRecord('INSERT', { keys: { pk: { S: 'pods' } }, newImage: pod('a1', 'team-a') });
    const b = streamRecord('INSERT', { keys: { pk: { S: 'pods' } }, newImage: pod('b', 'team-b') });
    const a2 = streamRecord('MODIFY', { keys: { pk: { S: 'pods' } }, newImage: pod('a2', 'team-a') });
    const out = await run([a1, b, a2], async (key) => {
      if (key === 'owner:team-a') throw new Error('SQS throttled');
      return true;
    });
    expect(out.batchItemFailures).toEqual([
      { itemIdentifier: a1.dynamodb?.SequenceNumber },
      { itemIdentifier: a2.dynamodb?.SequenceNumber },
    ]);
  });

  it('ignores changes of resources no controller watches', async () => {
    const queued: string[] = [];
    const svc: Image = { pk: { S: 'services' }, body: { S: '{"metadata":{"name":"s","namespace":"x"}}' } };
    const out = await run([streamRecord('INSERT', { keys: { pk: { S: 'services' } }, newImage: svc })], async (k) =>
      queued.push(k),
    );
    expect(out).toEqual({ batchItemFailures: [], events: 1, keys: 0 });
    expect(queued).toEqual([]);
  });

  it('fails the whole batch when the decoder answers for a different number of records', async () => {
    const records = [streamRecord('INSERT', { keys: { pk: { S: 'pods' } }, newImage: pod('a', 'x') })];
    await expect(
      run(
        records,
        async () => true,
        async () => [],
      ),
    ).rejects.toThrow(/0 results for 1 records/);
  });
});
