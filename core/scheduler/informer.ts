/**
 * A list-then-watch mirror of one store type (client-go's reflector in
 * miniature) that reports adds, updates and deletes to synchronous handlers.
 * When the watch ends with an error (the consumer fell behind compaction, a
 * backend failure) it relists and reports the difference, so handlers see a
 * consistent sequence whatever happened to the stream.
 */
import type { KubeObject } from '../api/object.ts';
import type { Logger } from '../apiserver/types.ts';
import type { Store, StoreWatch } from '../storage/store.ts';

/** Callbacks of an {@link Informer}; called synchronously, in store order. */
export interface InformerHandlers {
  add(obj: KubeObject): void;
  update(old: KubeObject, obj: KubeObject): void;
  remove(obj: KubeObject): void;
}

/** A running informer. */
export interface Informer {
  /** Stops watching; no handler is called afterwards. Idempotent. */
  stop(): void;
}

const PAGE = 5_000;
const RELIST_DELAY_MS = 1_000;

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/**
 * Lists `resource` (calling `add` for each object) and returns once that is
 * done, then keeps `handlers` up to date from a watch in the background.
 * Throws when the first list fails.
 */
export async function startInformer(
  store: Store,
  resource: string,
  handlers: InformerHandlers,
  logger: Logger,
): Promise<Informer> {
  const known = new Map<string, KubeObject>();
  let stopped = false;
  let watch: StoreWatch | undefined;

  const relist = async (): Promise<number> => {
    const seen = new Set<string>();
    let cont: string | undefined;
    let revision: number;
    do {
      const page = await store.list(resource, { limit: PAGE, continue: cont });
      revision = page.revision;
      cont = page.continue;
      if (stopped) return revision;
      for (const obj of page.items) {
        const k = keyOf(obj);
        seen.add(k);
        const old = known.get(k);
        known.set(k, obj);
        if (!old) handlers.add(obj);
        else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) handlers.update(old, obj);
      }
    } while (cont);
    for (const [k, obj] of known) {
      if (seen.has(k)) continue;
      known.delete(k);
      handlers.remove(obj);
    }
    return revision;
  };

  const run = async (revision: number): Promise<void> => {
    for (;;) {
      try {
        watch = await store.watch(resource, { fromRevision: revision });
        if (stopped) watch.stop();
        for await (const e of watch) {
          if (stopped) return;
          revision = e.revision;
          const k = keyOf(e.object);
          if (e.type === 'DELETED') {
            const old = known.get(k);
            known.delete(k);
            handlers.remove(old ?? e.object);
            continue;
          }
          const old = known.get(k);
          known.set(k, e.object);
          if (old) handlers.update(old, e.object);
          else handlers.add(e.object);
        }
        return;
      } catch (err) {
        if (stopped) return;
        logger.warn({ resource, err: (err as Error).message }, 'scheduler watch ended; relisting');
        await new Promise((r) => setTimeout(r, RELIST_DELAY_MS));
        if (stopped) return;
        try {
          revision = await relist();
        } catch (e) {
          logger.error({ resource, err: (e as Error).message }, 'scheduler relist failed');
        }
      }
    }
  };

  const revision = await relist();
  void run(revision);
  return {
    stop() {
      stopped = true;
      watch?.stop();
    },
  };
}
