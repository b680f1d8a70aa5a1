/**
 * A list-then-watch cache of one collection, as client-go's informer: it
 * lists, watches from the list's resourceVersion, relists when the watch
 * expires (410) or breaks, and tells handlers about every change with the
 * previous object. Handlers see a level view: after a relist, objects that
 * vanished are reported DELETED and changed ones MODIFIED.
 */
import { isExpired } from '../errors/status.ts';
import type { ApiClient, ApiWatch, Query } from './api-client.ts';

/** What informers cache: anything with object metadata. */
export interface MetaObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
}

/** A change handler. `old` is the cached object before the change (absent for ADDED). */
export type InformerHandler<T> = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T, old?: T) => void;

/** Options of an informer. */
export interface InformerOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Delay before relisting after a failure (default 1 s, doubling to 30 s). */
  retryMs?: number;
  /** Called with errors that cause a relist (logging). */
  onError?: (e: unknown) => void;
}

/** A running informer. */
export interface Informer<T> {
  /** Resolves after the first list has been delivered to the handlers. */
  synced: Promise<void>;
  /** Every cached object. */
  list(): T[];
  /** One cached object by namespace ('' when cluster-scoped) and name. */
  get(namespace: string, name: string): T | undefined;
  /** Adds a handler. Handlers added before the first list see its objects as ADDED; later ones are not replayed the cache (read `list()`). */
  on(handler: InformerHandler<T>): void;
  stop(): void;
}

const keyOf = (o: MetaObject) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** Starts an informer over the collection at `path` (e.g. `/api/v1/pods`). */
export function startInformer<T extends MetaObject>(
  client: ApiClient,
  path: string,
  opts: InformerOptions = {},
): Informer<T> {
  const cache = new Map<string, T>();
  const handlers: InformerHandler<T>[] = [];
  let stopped = false;
  let watch: ApiWatch<T> | undefined;
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((r) => (markSynced = r));
  const selectors: Query = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
  const emit = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T, old?: T) => {
    for (const h of handlers) {
      try {
        h(type, obj, old);
      } catch (e) {
        opts.onError?.(e);
      }
    }
  };

  const relist = async (): Promise<string> => {
    const list = await client.list<T>(path, selectors);
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = keyOf(item);
      seen.add(key);
      const old = cache.get(key);
      cache.set(key, item);
      if (!old) emit('ADDED', item);
      else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) emit('MODIFIED', item, old);
    }
    for (const [key, old] of [...cache]) {
      if (seen.has(key)) continue;
      cache.delete(key);
      emit('DELETED', old, old);
    }
    markSynced();
    return list.metadata.resourceVersion ?? '0';
  };

  const run = async () => {
    let delay = opts.retryMs ?? 1000;
    while (!stopped) {
      try {
        let rv = await relist();
        delay = opts.retryMs ?? 1000;
        while (!stopped) {
          watch = client.watch<T>(path, { ...selectors, resourceVersion: rv, allowWatchBookmarks: true });
          for await (const e of watch) {
            const meta = e.object.metadata;
            if (meta?.resourceVersion) rv = meta.resourceVersion;
            if (e.type === 'BOOKMARK') continue;
            const key = keyOf(e.object);
            const old = cache.get(key);
            if (e.type === 'DELETED') {
              cache.delete(key);
              emit('DELETED', e.object, old);
            } else {
              cache.set(key, e.object);
              emit(old ? 'MODIFIED' : 'ADDED', e.object, old);
            }
          }
          // The server ended the watch (timeout): resume from the last revision seen.
        }
      } catch (e) {
        if (stopped) return;
        if (isExpired(e)) continue; // compacted past our revision: relist at once
        opts.onError?.(e);
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(30_000, delay * 2);
      }
    }
  };
  void run();

  return {
    synced,
    list: () => [...cache.values()],
    get: (namespace, name) => cache.get(`${namespace}/${name}`),
    on: (h) => void handlers.push(h),
    stop() {
      stopped = true;
      watch?.stop();
    },
  };
}
