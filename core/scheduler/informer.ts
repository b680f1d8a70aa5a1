/**
 * Mirrors of one store type that report adds, updates and deletes to
 * synchronous handlers (client-go's reflector in miniature), in two shapes:
 * - {@link startInformer}: list, then a live watch in the background (the
 *   in-process scheduler);
 * - {@link CatchUpInformer}: list once, then on each `sync()` read the changes
 *   since the last one up to the type's current revision (a Lambda invocation,
 *   which must not wait on a watch).
 * When a watch ends with an error (the consumer fell behind compaction, a
 * backend failure) both relist and report the difference, so handlers see a
 * consistent sequence whatever happened to the stream.
 */
import type { KubeObject } from '../api/object.ts';
import type { Logger } from '../apiserver/types.ts';
import { isStorageError } from '../storage/errors.ts';
import type { Store, StoreEvent, StoreWatch } from '../storage/store.ts';

/** Callbacks of an informer; called synchronously, in store order. */
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

/** The objects an informer knows, and the two ways they change: a relist and a watch event. */
class Mirror {
  readonly #known = new Map<string, KubeObject>();

  constructor(
    private readonly store: Store,
    private readonly resource: string,
    private readonly handlers: InformerHandlers,
  ) {}

  /** Lists everything, reports what differs from what was known, and returns the list's revision. */
  async relist(stopped: () => boolean = () => false): Promise<number> {
    const seen = new Set<string>();
    let cont: string | undefined;
    let revision: number;
    do {
      const page = await this.store.list(this.resource, { limit: PAGE, continue: cont });
      revision = page.revision;
      cont = page.continue;
      if (stopped()) return revision;
      for (const obj of page.items) {
        const k = keyOf(obj);
        seen.add(k);
        const old = this.#known.get(k);
        this.#known.set(k, obj);
        if (!old) this.handlers.add(obj);
        else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) this.handlers.update(old, obj);
      }
    } while (cont);
    for (const [k, obj] of this.#known) {
      if (seen.has(k)) continue;
      this.#known.delete(k);
      this.handlers.remove(obj);
    }
    return revision;
  }

  /** Applies one watch event. */
  apply(e: StoreEvent): void {
    const k = keyOf(e.object);
    const old = this.#known.get(k);
    if (e.type === 'DELETED') {
      this.#known.delete(k);
      this.handlers.remove(old ?? e.object);
      return;
    }
    this.#known.set(k, e.object);
    if (old) this.handlers.update(old, e.object);
    else this.handlers.add(e.object);
  }
}

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
  const mirror = new Mirror(store, resource, handlers);
  let stopped = false;
  let watch: StoreWatch | undefined;

  const run = async (revision: number): Promise<void> => {
    for (;;) {
      try {
        watch = await store.watch(resource, { fromRevision: revision });
        if (stopped) watch.stop();
        for await (const e of watch) {
          if (stopped) return;
          revision = e.revision;
          mirror.apply(e);
        }
        return;
      } catch (err) {
        if (stopped) return;
        logger.warn({ resource, err: (err as Error).message }, 'scheduler watch ended; relisting');
        await new Promise((r) => setTimeout(r, RELIST_DELAY_MS));
        if (stopped) return;
        try {
          revision = await mirror.relist(() => stopped);
        } catch (e) {
          logger.error({ resource, err: (e as Error).message }, 'scheduler relist failed');
        }
      }
    }
  };

  const revision = await mirror.relist(() => stopped);
  void run(revision);
  return {
    stop() {
      stopped = true;
      watch?.stop();
    },
  };
}

/**
 * A mirror brought up to date on demand: the first {@link sync} lists, later
 * ones read the changes since the previous sync from the store's log, up to
 * the revision current when the sync began. Not reentrant: one sync at a time.
 */
export class CatchUpInformer {
  readonly #mirror: Mirror;
  #revision: number | undefined;

  constructor(
    private readonly store: Store,
    private readonly resource: string,
    handlers: InformerHandlers,
  ) {
    this.#mirror = new Mirror(store, resource, handlers);
  }

  /**
   * Reports every change since the last sync, in store order. Relists when the
   * log no longer holds the last revision (compaction, expiry). Throws when a
   * read fails; the next sync starts from the last change applied.
   */
  async sync(): Promise<void> {
    if (this.#revision === undefined) {
      this.#revision = await this.#mirror.relist();
      return;
    }
    const target = await this.store.currentRevision(this.resource);
    if (target <= this.#revision) return;
    let watch: StoreWatch;
    try {
      watch = await this.store.watch(this.resource, { fromRevision: this.#revision });
    } catch (e) {
      if (!isStorageError(e, 'ResourceExpired')) throw e;
      this.#revision = await this.#mirror.relist();
      return;
    }
    try {
      for await (const e of watch) {
        this.#mirror.apply(e);
        this.#revision = e.revision;
        if (e.revision >= target) return;
      }
    } catch (e) {
      if (!isStorageError(e, 'ResourceExpired')) throw e;
      this.#revision = await this.#mirror.relist();
    } finally {
      watch.stop();
    }
  }
}
