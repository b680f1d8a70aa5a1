/**
 * Watches over the DynamoDB revision log: one in-process poller per resource
 * type (a `Feed`) reads log rows after the lowest cursor of its watches
 * (strongly consistent Query, `sk > cursor`) every `intervalMillis`, or at
 * once after a write through this store, and hands each watch the rows after
 * its own cursor, strictly in revision order. Since revisions are allocated
 * inside the write transaction there are no holes to wait out: a missing
 * revision is either not visible yet (re-read next tick) or gone (compacted,
 * expired), which ends the watches that needed it with ResourceExpired.
 */
import type { StoreEvent, StoreWatch } from '../store.ts';
import { isExpired, type LogRow, toEvent } from './codec.ts';
import type { DynamoContext } from './context.ts';
import { toStorageError } from './driver-errors.ts';
import { readHead, readLogRows, resolvePrev, tooOld } from './log.ts';

/** Rows read per poll. */
const BATCH = 500;
/** A revision still missing after this long, with later ones present, was deleted (TTL). */
const HOLE_TIMEOUT_MS = 2_000;
/** Consecutive failed polls before the feed gives up and fails its watches. */
const MAX_FAILED_POLLS = 10;

type Waiter = { resolve: (r: IteratorResult<StoreEvent>) => void; reject: (e: unknown) => void };
const DONE: IteratorResult<StoreEvent> = { value: undefined, done: true };

/** One watch: a queue filled by its feed, drained by a single consumer. */
export class DynamoWatch implements StoreWatch {
  /** The highest revision queued or skipped (other namespace); the feed delivers from here. */
  cursor: number;
  private delivered: number;
  private queue: StoreEvent[] = [];
  private waiter?: Waiter;
  private failure?: unknown;
  private ended = false;

  constructor(
    readonly namespace: string,
    fromRevision: number,
    private readonly bufferSize: number,
    private readonly onEnd: (w: DynamoWatch) => void,
  ) {
    this.cursor = fromRevision;
    this.delivered = fromRevision;
  }

  get active(): boolean {
    return !this.ended;
  }

  /**
   * Takes the row at `cursor + 1` (the feed guarantees the order). Returns
   * false when the watch dropped its buffer and wants rows from its last
   * delivered revision again.
   */
  take(revision: number, event: () => StoreEvent, namespace: string): boolean {
    this.cursor = revision;
    if (this.namespace && this.namespace !== namespace) return true;
    const e = event();
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.delivered = revision;
      waiter.resolve({ value: e, done: false });
      return true;
    }
    if (this.queue.length >= this.bufferSize) {
      // A consumer this far behind re-reads from the log instead of growing memory.
      this.queue = [];
      this.cursor = this.delivered;
      return false;
    }
    this.queue.push(e);
    return true;
  }

  next(): Promise<IteratorResult<StoreEvent>> {
    const e = this.queue.shift();
    if (e) {
      this.delivered = e.revision;
      return Promise.resolve({ value: e, done: false });
    }
    if (this.ended) {
      const failure = this.failure;
      this.failure = undefined;
      return failure === undefined ? Promise.resolve(DONE) : Promise.reject(failure);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Ends the iteration: a pending next() resolves done. Idempotent. */
  stop(): void {
    this.end();
  }

  /** Ends the iteration with `failure`, thrown by the next `next()` once. */
  end(failure?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.queue = [];
    this.onEnd(this);
    const waiter = this.waiter;
    this.waiter = undefined;
    if (!waiter) this.failure = failure;
    else if (failure === undefined) waiter.resolve(DONE);
    else waiter.reject(failure);
  }

  [Symbol.asyncIterator](): AsyncIterator<StoreEvent> {
    return {
      next: () => this.next(),
      return: () => {
        this.stop();
        return Promise.resolve(DONE);
      },
    };
  }
}

/** The poller of one resource type. */
export class Feed {
  private readonly watches = new Set<DynamoWatch>();
  private timer?: ReturnType<typeof setTimeout>;
  private running = false;
  private poked = false;
  private failures = 0;
  /** The first time each missing revision was noticed. */
  private readonly holes = new Map<number, number>();

  constructor(
    private readonly ctx: DynamoContext,
    private readonly resource: string,
    private readonly intervalMillis: number,
  ) {}

  get empty(): boolean {
    return this.watches.size === 0;
  }

  add(w: DynamoWatch): void {
    this.watches.add(w);
    this.poke();
  }

  remove(w: DynamoWatch): void {
    this.watches.delete(w);
    if (this.watches.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Polls as soon as possible (a write just committed, or a watch joined). */
  poke(): void {
    if (this.running) {
      this.poked = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule(0);
  }

  /** Ends every watch. */
  stopAll(): void {
    for (const w of [...this.watches]) w.stop();
  }

  private schedule(ms: number): void {
    if (this.timer || this.running || this.watches.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, ms);
  }

  private async run(): Promise<void> {
    this.running = true;
    this.poked = false;
    let more = false;
    try {
      more = await this.poll();
      this.failures = 0;
    } catch (e) {
      this.ctx.logger.warn({ resource: this.resource, error: String(e) }, 'watch poll failed');
      if (++this.failures >= MAX_FAILED_POLLS) {
        const failure = toStorageError(e);
        for (const w of [...this.watches]) w.end(failure);
      }
    } finally {
      this.running = false;
    }
    this.schedule(more || this.poked ? 0 : this.intervalMillis);
  }

  /** One poll; true when a full batch came back (more rows are waiting). */
  private async poll(): Promise<boolean> {
    const watches = [...this.watches].filter((w) => w.active);
    if (watches.length === 0) return false;
    const from = Math.min(...watches.map((w) => w.cursor));
    const { rows, more } = await readLogRows(this.ctx, this.resource, from, { limit: BATCH });
    const prevs = new Map<number, string | undefined>();
    for (const row of rows)
      if (row.type !== 'ADDED') prevs.set(row.revision, await resolvePrev(this.ctx, this.resource, row));
    const now = this.ctx.now();
    const events = new Map<number, StoreEvent>();
    const eventOf = (row: LogRow) => () => {
      let e = events.get(row.revision);
      if (!e) {
        e = toEvent(row, prevs.get(row.revision));
        events.set(row.revision, e);
      }
      return e;
    };
    const missing = new Set<number>();
    for (const w of watches) {
      for (const row of rows) {
        if (!w.active || row.revision <= w.cursor) continue;
        if (row.revision !== w.cursor + 1) {
          missing.add(w.cursor + 1);
          break;
        }
        if (isExpired(row, now)) {
          w.end(tooOld(w.cursor, row.revision));
          break;
        }
        if (!w.take(row.revision, eventOf(row), row.namespace)) break;
      }
    }
    if (missing.size > 0) await this.judgeHoles(missing, watches, now);
    else this.holes.clear();
    return more;
  }

  /** Ends the watches stuck before a revision that is compacted, or missing for too long. */
  private async judgeHoles(missing: Set<number>, watches: DynamoWatch[], now: number): Promise<void> {
    const head = await readHead(this.ctx, this.resource);
    for (const revision of missing) {
      const since = this.holes.get(revision) ?? now;
      this.holes.set(revision, since);
      if (revision > head.compacted && now - since < HOLE_TIMEOUT_MS) continue;
      for (const w of watches)
        if (w.active && w.cursor + 1 === revision) w.end(tooOld(w.cursor, Math.max(head.compacted, revision)));
      this.holes.delete(revision);
    }
  }
}

/** The feeds of one store, by resource. */
export class FeedHub {
  private readonly feeds = new Map<string, Feed>();

  constructor(
    private readonly ctx: DynamoContext,
    private readonly intervalMillis: number,
    private readonly bufferSize: number,
  ) {}

  /** Starts a watch of `resource` after `fromRevision` (already validated). */
  open(resource: string, namespace: string, fromRevision: number): DynamoWatch {
    let feed = this.feeds.get(resource);
    if (!feed) {
      feed = new Feed(this.ctx, resource, this.intervalMillis);
      this.feeds.set(resource, feed);
    }
    const f = feed;
    const w = new DynamoWatch(namespace, fromRevision, this.bufferSize, (ended) => {
      f.remove(ended);
      if (f.empty && this.feeds.get(resource) === f) this.feeds.delete(resource);
    });
    f.add(w);
    return w;
  }

  /** Tells the feed of `resource`, if any, that a write just committed. */
  poke(resource: string): void {
    this.feeds.get(resource)?.poke();
  }

  /** Ends every watch (store shutdown). */
  stopAll(): void {
    for (const feed of [...this.feeds.values()]) feed.stopAll();
    this.feeds.clear();
  }
}
