import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/apiserver/types.ts';
import type { ControllerSpec } from '../../../core/controllers/runtime/controller.ts';
import type { Registry } from '../../../core/registry/registry.ts';
import type { Store, StoreEvent } from '../../../core/storage/store.ts';
import {
  allWorkKeys,
  CONTROLLER_FACTORIES,
  type ControllerDeps,
  createControllers,
  parseWorkKey,
  resyncAll,
  syncWorkKey,
  workKeysFor,
} from '../../../functions/lib/controllers.ts';

const event = (name: string, namespace = ''): StoreEvent => ({
  type: 'MODIFIED',
  object: { metadata: { name, namespace } },
  revision: 7,
});

/** A controller over one resource whose keys, syncs and owned keys are recorded or given. */
function spec(name: string, resource: string, owned: string[] = [], synced: string[] = []): ControllerSpec {
  return {
    name,
    watches: [{ resource, keys: (e) => [e.object.metadata.namespace ?? '', e.object.metadata.name ?? ''] }],
    sync: async (key) => {
      synced.push(key);
      if (key === 'boom') throw new Error('sync failed');
      return key === 'later' ? { requeueAfterMs: 5000 } : undefined;
    },
    initialKeys: async () => owned,
  };
}

const deps = { store: {} as Store, registry: {} as Registry, logger: silentLogger, now: () => new Date() };

describe('parseWorkKey', () => {
  it.each<[string, { controller: string; key: string } | undefined]>([
    ['namespace:team-a', { controller: 'namespace', key: 'team-a' }],
    ['replicaset:default/web-7d9f', { controller: 'replicaset', key: 'default/web-7d9f' }],
    ['endpoints:ns/a:b', { controller: 'endpoints', key: 'ns/a:b' }],
    ['team-a', undefined],
    [':team-a', undefined],
    ['namespace:', undefined],
  ])('parses %j', (work, expected) => {
    expect(parseWorkKey(work)).toEqual(expected);
  });
});

describe('createControllers', () => {
  it('registers the namespace controller by default', () => {
    const controllers = createControllers(deps as ControllerDeps);
    expect([...controllers.keys()]).toEqual(Object.keys(CONTROLLER_FACTORIES));
    expect(controllers.get('namespace')?.watches.map((w) => w.resource)).toEqual(['namespaces']);
  });

  it('refuses a factory registered under another name', () => {
    expect(() => createControllers(deps, { other: () => spec('namespace', 'namespaces') })).toThrow(
      /registered as "other"/,
    );
  });
});

describe('syncWorkKey', () => {
  it('calls the sync of the controller the key names with the object key, and returns its result', async () => {
    const synced: string[] = [];
    const controllers = createControllers(deps, { a: () => spec('a', 'pods', [], synced) });
    await expect(syncWorkKey(controllers, 'a:later')).resolves.toEqual({ requeueAfterMs: 5000 });
    expect(synced).toEqual(['later']);
  });

  it.each([
    ['the key names no controller', 'later', /malformed work key/],
    ['the controller is unknown', 'b:later', /no controller "b"/],
    ['the sync throws', 'a:boom', /sync failed/],
  ])('rejects when %s', async (_case, work, message) => {
    const controllers = createControllers(deps, { a: () => spec('a', 'pods') });
    await expect(syncWorkKey(controllers, work)).rejects.toThrow(message);
  });
});

describe('workKeysFor', () => {
  it('maps a change to the keys of every controller watching its resource, without duplicates or empty keys', () => {
    const controllers = createControllers(deps, {
      a: () => spec('a', 'pods'),
      b: () => spec('b', 'pods'),
      c: () => spec('c', 'services'),
    });
    expect(workKeysFor(controllers, 'pods', event('web', 'default')).sort()).toEqual([
      'a:default',
      'a:web',
      'b:default',
      'b:web',
    ]);
    expect(workKeysFor(controllers, 'pods', event('web'))).toEqual(['a:web', 'b:web']);
    expect(workKeysFor(controllers, 'nodes', event('n1'))).toEqual([]);
  });
});

describe('resyncAll', () => {
  it('queues every owned key of every controller once and counts those sent', async () => {
    const controllers = createControllers(deps, {
      a: () => spec('a', 'pods', ['x', 'y', 'x', '']),
      b: () => spec('b', 'services', ['x']),
    });
    expect((await allWorkKeys(controllers)).sort()).toEqual(['a:x', 'a:y', 'b:x']);
    const queued: string[] = [];
    const out = await resyncAll(controllers, async (key) => {
      queued.push(key);
      return key !== 'a:y';
    });
    expect(out).toEqual({ keys: 3, queued: 2 });
    expect(queued.sort()).toEqual(['a:x', 'a:y', 'b:x']);
  });

  it('rejects when a key cannot be queued', async () => {
    const controllers = createControllers(deps, { a: () => spec('a', 'pods', ['x']) });
    await expect(
      resyncAll(controllers, async () => {
        throw new Error('SQS down');
      }),
    ).rejects.toThrow('SQS down');
  });
});
