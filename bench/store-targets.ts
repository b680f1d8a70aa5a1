/**
 * The storage benchmark's targets behind one small interface: the SQLite
 * store (embedded, in this process), the DynamoDB store against DynamoDB
 * Local, and etcd driven the way kube-apiserver's etcd3 storage drives it:
 * create = Txn(If CreateRevision(key) == 0 Then Put), update =
 * Txn(If ModRevision(key) == rv Then Put Else Get), get = Range(key),
 * list = Range(prefix), watch = Watch(prefix). All targets store the same
 * pods under `/registry/pods/<namespace>/<name>`-style keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Etcd3 } from 'etcd3';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../core/api/object.ts';
import { createDynamoStore } from '../core/storage/dynamodb/dynamo-store.ts';
import { createDynamoTables, tableNames } from '../core/storage/dynamodb/tables.ts';
import { createSqliteStore } from '../core/storage/sqlite/sqlite-store.ts';
import type { Store } from '../core/storage/store.ts';
import { TEST_AWS } from '../test/support/emulators.ts';
import type { CapacityMeter } from './store-capacity.ts';

/** One backend under test. Every method resolves once the backend acknowledged the operation. */
export interface StoreTarget {
  name: string;
  /** Creates `pod` (which has no resourceVersion); resolves to its resourceVersion. */
  create(pod: Pod): Promise<string>;
  /** Replaces `pod` if its stored resourceVersion is still `rv`; resolves to the new one. Throws on a conflict. */
  update(pod: Pod, rv: string): Promise<string>;
  get(namespace: string, name: string): Promise<Pod>;
  delete(namespace: string, name: string): Promise<void>;
  /** Every pod of `namespace`, decoded; resolves to how many there were. */
  list(namespace: string): Promise<number>;
  /** Watches pod changes in `namespace` from now on; `onEvent` gets each one with its arrival time. */
  watch(namespace: string, onEvent: (name: string, rv: string, at: number) => void): Promise<() => void>;
  close(): Promise<void>;
}

const key = (namespace: string, name: string) => ({ resource: 'pods', namespace, name });

/** A target over any `Store`. */
function storeTarget(name: string, store: Store, cleanup: () => Promise<void>): StoreTarget {
  return {
    name,
    async create(pod) {
      const out = await store.create(key(pod.metadata!.namespace!, pod.metadata!.name!), pod as KubeObject);
      return out.metadata.resourceVersion!;
    },
    async update(pod, rv) {
      const k = key(pod.metadata!.namespace!, pod.metadata!.name!);
      const out = await store.update(k, pod as KubeObject, { resourceVersion: rv });
      return out.metadata.resourceVersion!;
    },
    async get(namespace, podName) {
      return (await store.get(key(namespace, podName))) as Pod;
    },
    async delete(namespace, podName) {
      await store.delete(key(namespace, podName));
    },
    async list(namespace) {
      return (await store.list('pods', { namespace })).items.length;
    },
    async watch(namespace, onEvent) {
      const w = await store.watch('pods', { namespace, fromRevision: await store.currentRevision('pods') });
      void (async () => {
        for await (const e of w) onEvent(e.object.metadata.name!, String(e.revision), performance.now());
      })();
      return () => w.stop();
    },
    async close() {
      await store.close();
      await cleanup();
    },
  };
}

/** The SQLite store on a fresh file in a temp directory, with the given durability. */
export function sqliteTarget(name: string, durability: 'process-crash' | 'power-loss'): StoreTarget {
  const dir = mkdtempSync(join(tmpdir(), 'skube-bench-sqlite-'));
  const store = createSqliteStore({ path: join(dir, 'store.db'), durability });
  return storeTarget(name, store, async () => rmSync(dir, { recursive: true, force: true }));
}

/** The DynamoDB store over fresh tables at `endpoint`, reporting capacity to `meter`. */
export async function dynamoTarget(endpoint: string, meter: CapacityMeter): Promise<StoreTarget> {
  const client = new DynamoDBClient({ endpoint, ...TEST_AWS });
  meter.instrument(client);
  const prefix = `bench-${Date.now()}`;
  const names = tableNames(prefix);
  await createDynamoTables(client, names);
  const store = createDynamoStore({ client, tablePrefix: prefix, onConsumedCapacity: meter.hook });
  return storeTarget('dynamodb', store, async () => {
    // Matters for an endpoint that outlives the run (SKUBE_TEST_DYNAMODB_ENDPOINT).
    await Promise.all(
      [names.objects, names.log].map((TableName) => client.send(new DeleteTableCommand({ TableName }))),
    );
    client.destroy();
  });
}

/** etcd at `endpoint`, as kube-apiserver uses it (see the module comment). */
export function etcdTarget(endpoint: string): StoreTarget {
  const client = new Etcd3({ hosts: endpoint });
  const etcdKey = (namespace: string, name: string) => `/registry/pods/${namespace}/${name}`;
  // kube-apiserver keeps resourceVersion out of the stored value; it is the key's modRevision.
  const value = (pod: Pod) => JSON.stringify({ ...pod, metadata: { ...pod.metadata, resourceVersion: undefined } });
  return {
    name: 'etcd',
    async create(pod) {
      const k = etcdKey(pod.metadata!.namespace!, pod.metadata!.name!);
      const out = await client
        .if(k, 'Create', '==', 0)
        .then(client.put(k).value(value(pod)))
        .commit();
      if (!out.succeeded) throw new Error(`etcd: ${k} exists`);
      return out.header.revision;
    },
    async update(pod, rv) {
      const k = etcdKey(pod.metadata!.namespace!, pod.metadata!.name!);
      const out = await client
        .if(k, 'Mod', '==', rv)
        .then(client.put(k).value(value(pod)))
        .else(client.get(k))
        .commit();
      if (!out.succeeded) throw new Error(`etcd: ${k} changed since revision ${rv}`);
      return out.header.revision;
    },
    async get(namespace, name) {
      const v = await client.get(etcdKey(namespace, name)).string();
      if (v === null) throw new Error(`etcd: ${namespace}/${name} not found`);
      return JSON.parse(v) as Pod;
    },
    async delete(namespace, name) {
      await client.delete().key(etcdKey(namespace, name));
    },
    async list(namespace) {
      const values = await client.getAll().prefix(`/registry/pods/${namespace}/`).strings();
      return Object.values(values).map((v) => JSON.parse(v) as Pod).length;
    },
    async watch(namespace, onEvent) {
      const prefix = `/registry/pods/${namespace}/`;
      const w = await client.watch().prefix(prefix).create();
      w.on('put', (kv) => onEvent(kv.key.toString().slice(prefix.length), kv.mod_revision, performance.now()));
      return () => void w.cancel();
    },
    async close() {
      client.close();
    },
  };
}
