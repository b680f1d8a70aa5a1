import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../core/api/object.ts';
import { CatchUpInformer } from '../../../core/scheduler/informer.ts';
import { createSqliteStore } from '../../../core/storage/sqlite/sqlite-store.ts';
import type { Store } from '../../../core/storage/store.ts';

let store: Store;
let seen: string[];
let informer: CatchUpInformer;

const key = (name: string) => ({ resource: 'configmaps', namespace: 'default', name });
const put = (name: string, data: Record<string, string> = {}) =>
  store.create(key(name), { metadata: { name, namespace: 'default' }, data } as KubeObject);

beforeEach(() => {
  store = createSqliteStore({ path: ':memory:' });
  seen = [];
  informer = new CatchUpInformer(store, 'configmaps', {
    add: (o) => seen.push(`add ${o.metadata.name}`),
    update: (old, o) =>
      seen.push(`update ${o.metadata.name} ${old.metadata.resourceVersion}→${o.metadata.resourceVersion}`),
    remove: (o) => seen.push(`remove ${o.metadata.name}`),
  });
});
afterEach(() => store.close());

describe('CatchUpInformer', () => {
  it('lists on the first sync and reports only the changes since the previous sync afterwards', async () => {
    await put('a');
    await informer.sync();
    expect(seen).toEqual(['add a']);
    await put('b');
    const a = await store.get(key('a'));
    await store.update(key('a'), { ...a, data: { x: '1' } } as KubeObject);
    await store.delete(key('b'));
    seen = [];
    await informer.sync();
    expect(seen).toEqual(['add b', 'update a 1→3', 'remove b']);
    seen = [];
    await informer.sync();
    expect(seen).toEqual([]);
  });

  it('relists and reports the difference when the log no longer holds its revision', async () => {
    await put('a');
    await put('b');
    await informer.sync();
    await store.delete(key('a'));
    await put('c');
    await store.compact('configmaps', await store.currentRevision('configmaps'));
    seen = [];
    await informer.sync();
    expect(seen.sort()).toEqual(['add c', 'remove a']);
  });
});
