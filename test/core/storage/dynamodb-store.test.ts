/**
 * The DynamoDB store against DynamoDB Local (or the endpoint in
 * SKUBE_TEST_DYNAMODB_ENDPOINT / SKUBE_TEST_AWS_ENDPOINT): the shared
 * conformance suite with fresh tables per test, then what only this backend
 * has: conditional-check failures inside the transaction, the item-size
 * backstop, log rows past their expiry, retries, several processes on one
 * set of tables, and key layout edge cases.
 */
import { randomBytes } from 'node:crypto';
import {
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import { decompressBody } from '../../../core/storage/dynamodb/body-codec.ts';
import { MAX_OBJECT_BYTES } from '../../../core/storage/dynamodb/codec.ts';
import { tableNames } from '../../../core/storage/dynamodb/tables.ts';
import type { Store } from '../../../core/storage/store.ts';
import { expectStorageError, key, rv, WatchReader, watchFrom } from '../../conformance/store/context.ts';
import { runStoreConformance } from '../../conformance/store.ts';
import { keyOf, makeObject } from '../../fixtures/store-objects.ts';
import { dynamoForTests, TEST_AWS } from '../../support/emulators.ts';
import { type DynamoHarness, dynamoHarness } from './dynamodb-harness.ts';

const dynamo = await dynamoForTests();
afterAll(() => ('stop' in dynamo ? dynamo.stop() : undefined));

const W = 'widgets';
const A = key(W, 'a', 'ns1');

type Hook = (command: string, input: Record<string, unknown>, send: () => Promise<unknown>) => Promise<unknown>;

/** A client whose calls pass through `hook` first (to inject failures or concurrent writes). */
function interceptedClient(endpoint: string, hook: Hook): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint, ...TEST_AWS });
  client.middlewareStack.add(
    (next, context) => async (args) =>
      (await hook(context.commandName ?? '', args.input as Record<string, unknown>, () => next(args))) as never,
    { step: 'initialize', name: 'testHook' },
  );
  return client;
}

const cancelled = (codes: string[]) =>
  new TransactionCanceledException({
    message: `Transaction cancelled [${codes.join(', ')}]`,
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

if ('skip' in dynamo) {
  console.warn(`skipping the DynamoDB store tests: ${dynamo.skip}`);
  describe.skip(`DynamoDB store (${dynamo.skip})`, () => {
    it('needs DynamoDB', () => {});
  });
} else {
  const endpoint = dynamo.endpoint;
  runStoreConformance('dynamodb', () => dynamoHarness(endpoint));

  describe('DynamoDB store', () => {
    let h: DynamoHarness;
    const harness = async (extra?: Parameters<typeof dynamoHarness>[1]) => {
      h = await dynamoHarness(endpoint, extra);
      return h;
    };
    afterEach(async () => h?.cleanup());

    /** A store whose first TransactWriteItems lets `meanwhile` write through another store just before it is sent. */
    function racingStore(meanwhile: (other: Store) => Promise<unknown>): Store {
      let raced = false;
      const client = interceptedClient(endpoint, async (command, _input, send) => {
        if (command === 'TransactWriteItemsCommand' && !raced) {
          raced = true;
          await meanwhile(h.open());
        }
        return send();
      });
      return h.open({ client });
    }

    describe('conditional-check failures inside the transaction', () => {
      it('reports KeyExists when another writer creates the key first', async () => {
        await harness();
        const store = racingStore((other) =>
          other.create(A, makeObject({ name: 'a', namespace: 'ns1', uid: 'theirs' })),
        );
        await expectStorageError(
          store.create(A, makeObject({ name: 'a', namespace: 'ns1', uid: 'mine' })),
          'KeyExists',
        );
        expect((await h.store.get(A)).metadata.uid).toBe('theirs');
      });

      it('reports Conflict when the object changes under a conditional update', async () => {
        await harness();
        const a = await h.store.create(A, makeObject({ name: 'a', namespace: 'ns1' }));
        const store = racingStore((other) => other.update(A, { ...a, spec: { by: 'them' } }));
        const pre = { resourceVersion: a.metadata.resourceVersion };
        await expectStorageError(store.update(A, { ...a, spec: { by: 'me' } }, pre), 'Conflict');
        expect((await h.store.get(A)).spec).toEqual({ by: 'them' });
        expect(await h.store.currentRevision(W)).toBe(rv(a) + 1);
      });

      it('reports KeyNotFound when the object is deleted under a delete', async () => {
        await harness();
        await h.store.create(A, makeObject({ name: 'a', namespace: 'ns1' }));
        const store = racingStore((other) => other.delete(A));
        await expectStorageError(store.delete(A), 'KeyNotFound');
      });
    });

    describe('object size', () => {
      it('rejects a 360 KiB object with a message naming the limit, writing nothing', async () => {
        await harness();
        const big = makeObject({ name: 'big', namespace: 'ns1', spec: { blob: 'x'.repeat(360 * 1024) } });
        const e = await expectStorageError(h.store.create(keyOf(W, big), big), 'InvalidObject');
        expect(e.message).toMatch(/\/widgets\/ns1\/big is \d+ bytes .* at most 358400 bytes \(350 KiB\)/);
        expect(await h.store.currentRevision(W)).toBe(0);
      });

      it('keeps the previous body of a large update in an overflow row', async () => {
        await harness();
        // Random text, so that compression cannot fit both bodies in one item.
        const blob = () =>
          randomBytes(MAX_OBJECT_BYTES)
            .toString('base64')
            .slice(0, MAX_OBJECT_BYTES - 1024);
        await h.store.create(key(W, '0', 'ns1'), makeObject({ name: '0', namespace: 'ns1' }));
        const a = await h.store.create(A, makeObject({ name: 'a', namespace: 'ns1', spec: { blob: blob() } }));
        const first = await h.store.list(W, { limit: 1 });
        const watch = await watchFrom(h.store, W, rv(a));
        const a2 = await h.store.update(A, { ...a, spec: { blob: blob() } });

        const overflow = await h.client.send(
          new GetItemCommand({
            TableName: tableNames(h.prefix).log,
            Key: { pk: { S: `${W}#prev` }, sk: { N: String(rv(a2)) } },
            ConsistentRead: true,
          }),
        );
        expect(decompressBody(overflow.Item!.prev.B!, JSON.stringify(a2))).toBe(JSON.stringify(a));
        const [modified] = await watch.take(1);
        expect(modified.object).toEqual(a2);
        expect(modified.prevObject).toEqual(a);
        // A list begun before the update still sees the old `a`, rebuilt from the overflow row.
        expect((await h.store.list(W, { continue: first.continue })).items).toEqual([a]);
      });
    });

    describe('log rows past their expiry, not yet deleted by TTL', () => {
      it('refuses watches and continues that need them and keeps serving the current state', async () => {
        let now = Date.now();
        await harness({ now: () => now, logRetentionSeconds: 60 });
        for (const n of ['a', 'b', 'c'])
          await h.store.create(key(W, n, 'ns1'), makeObject({ name: n, namespace: 'ns1' }));
        const first = await h.store.list(W, { limit: 1 });
        await h.store.update(key(W, 'b', 'ns1'), { ...(await h.store.get(key(W, 'b', 'ns1'))), spec: { v: 2 } });
        now += 61_000;

        const row = await h.client.send(
          new GetItemCommand({ TableName: tableNames(h.prefix).log, Key: { pk: { S: W }, sk: { N: '1' } } }),
        );
        expect(row.Item).toBeDefined();
        const e = await expectStorageError(h.store.watch(W, { fromRevision: 0 }), 'ResourceExpired');
        expect(e.message).toBe('too old resource version: 0 (1)');
        await expectStorageError(h.store.list(W, { limit: 1, continue: first.continue }), 'ResourceExpired');
        expect((await h.store.list(W)).items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);

        const watch = await watchFrom(h.store, W, await h.store.currentRevision(W));
        const d = await h.store.create(key(W, 'd', 'ns1'), makeObject({ name: 'd', namespace: 'ns1' }));
        expect((await watch.take(1))[0].object).toEqual(d);
      });

      it('ends a live watch whose next row has expired', async () => {
        await harness();
        const late = h.open({ now: () => Date.now() + 301_000 });
        const watch = new WatchReader(await late.watch(W, { fromRevision: 0 }));
        await h.store.create(A, makeObject({ name: 'a', namespace: 'ns1' }));
        await expectStorageError(watch.raw(), 'ResourceExpired');
      });
    });

    describe('retries', () => {
      it('retries a transaction cancelled by TransactionConflict and commits it once', async () => {
        await harness();
        let failures = 2;
        const client = interceptedClient(endpoint, async (command, _input, send) => {
          if (command === 'TransactWriteItemsCommand' && failures-- > 0) {
            throw cancelled(['None', 'TransactionConflict', 'None']);
          }
          return send();
        });
        const retries: object[] = [];
        const store = h.open({ client, logger: { debug: (o) => retries.push(o), warn() {} } });
        const a = await store.create(A, makeObject({ name: 'a', namespace: 'ns1' }));
        expect(rv(a)).toBe(1);
        expect(await h.store.get(A)).toEqual(a);
        expect(await h.store.currentRevision(W)).toBe(1);
        expect(retries).toHaveLength(2);
      });

      it('gives up with Timeout when the conflicts do not stop', async () => {
        await harness();
        const client = interceptedClient(endpoint, async (command, _input, send) => {
          if (command === 'TransactWriteItemsCommand') throw cancelled(['None', 'TransactionConflict', 'None']);
          return send();
        });
        const store = h.open({ client, retry: { attempts: 3, baseMillis: 1, capMillis: 2 } });
        await expectStorageError(store.create(A, makeObject({ name: 'a', namespace: 'ns1' })), 'Timeout');
        expect(await h.store.currentRevision(W)).toBe(0);
      });

      it('resends a throttled write with the same ClientRequestToken, so a write that landed lands once', async () => {
        await harness();
        const tokens: string[] = [];
        const client = interceptedClient(endpoint, async (command, input, send) => {
          if (command !== 'TransactWriteItemsCommand') return send();
          tokens.push(String(input.ClientRequestToken));
          const out = await send();
          if (tokens.length === 1)
            throw new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });
          return out;
        });
        const a = await h.open({ client }).create(A, makeObject({ name: 'a', namespace: 'ns1' }));
        expect(tokens).toHaveLength(2);
        expect(tokens[1]).toBe(tokens[0]);
        expect(rv(a)).toBe(1);
        expect(await h.store.currentRevision(W)).toBe(1);
      });

      it('serializes racing writers of two processes into gapless revisions, seen in order by a watch', async () => {
        await harness();
        const other = h.open();
        await h.store.create(A, makeObject({ name: 'a', namespace: 'ns1', spec: { count: 0 } }));
        const watch = await watchFrom(h.store, W, 1);
        const count = (o: KubeObject) => (o.spec as { count: number }).count;
        const inc = (s: Store) => s.guaranteedUpdate(A, (cur) => ({ ...cur, spec: { count: count(cur) + 1 } }));
        const results = await Promise.all([h.store, other].flatMap((s) => Array.from({ length: 15 }, () => inc(s))));
        const expected = Array.from({ length: 30 }, (_, i) => i + 2);
        expect(results.map(rv).sort((x, y) => x - y)).toEqual(expected);
        expect(count(await other.get(A))).toBe(30);
        const events = await watch.take(30);
        expect(events.map((e) => e.revision)).toEqual(expected);
        expect(events.map((e) => count(e.object))).toEqual(expected.map((r) => r - 1));
      });
    });

    describe('several processes on one set of tables', () => {
      it('delivers another store’s writes to a watch by polling the log', async () => {
        await harness();
        const other = h.open();
        const watch = await watchFrom(h.store, W, 0);
        const a = await other.create(A, makeObject({ name: 'a', namespace: 'ns1' }));
        const gone = await other.delete(A);
        expect((await watch.take(2)).map((e) => [e.type, e.object])).toEqual([
          ['ADDED', a],
          ['DELETED', gone],
        ]);
      });
    });

    describe('key layout', () => {
      it('keeps namespaces sharing a prefix apart and orders by (namespace, name)', async () => {
        await harness();
        for (const [ns, n] of [
          ['ns10', 'a'],
          ['ns1-x', 'a'],
          ['ns1', 'b'],
          ['ns1', 'a'],
        ]) {
          await h.store.create(key(W, n, ns), makeObject({ name: n, namespace: ns }));
        }
        const names = (items: KubeObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
        expect(names((await h.store.list(W)).items)).toEqual(['ns1/a', 'ns1/b', 'ns1-x/a', 'ns10/a']);
        const first = await h.store.list(W, { namespace: 'ns1', limit: 1 });
        const second = await h.store.list(W, { namespace: 'ns1', limit: 1, continue: first.continue });
        expect([...names(first.items), ...names(second.items)]).toEqual(['ns1/a', 'ns1/b']);
        expect(second.continue).toBeUndefined();
      });
    });
  });
}
