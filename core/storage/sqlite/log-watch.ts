/**
 * Watches over a revision log with in-process fan-out.
 *
 * A watch is in one of three modes. In catch-up it reads the log in batches
 * after the last revision it delivered (its cursor) and ignores live events,
 * since the log already holds them. When a read comes back short it has seen
 * every committed row and turns live: from then on the hub hands it each
 * event synchronously after commit. Reads and commits run on one thread and a
 * write publishes in the same tick it commits, so there is neither a gap nor
 * a duplicate at the switch. A live watch whose consumer lags more than
 * `bufferSize` events drops its buffer and returns to catch-up, so memory
 * stays bounded; if the log has since been compacted past its cursor, the
 * next read fails and the iteration ends with StorageError('ResourceExpired').
 */
import type { StoreEvent, StoreWatch } from '../store.ts';

/** Reads up to `limit` events with revision > `after` (already namespace-filtered). Throws ResourceExpired when compacted past `after`. */
export type LogReader = (after: number, limit: number) => StoreEvent[];

/** How a LogWatch is built. */
export interface LogWatchOptions {
  /** Only events of this namespace ('' or undefined: all). */
  namespace?: string;
  /** Deliver events with revision > this. */
  fromRevision: number;
  read: LogReader;
  /** Live events buffered for a slow consumer before it falls back to reading the log. */
  bufferSize: number;
  /** Rows per catch-up read. */
  batchSize: number;
  /** Called once when the watch ends, to unregister it. */
  onEnd: () => void;
}

type Waiter = {
  resolve: (r: IteratorResult<StoreEvent>) => void;
  reject: (e: unknown) => void;
};

const DONE: IteratorResult<StoreEvent> = { value: undefined, done: true };

/** A StoreWatch fed by catch-up reads of a log and then by live events. Single-consumer. */
export class LogWatch implements StoreWatch {
  private mode: 'catch-up' | 'live' | 'ended' = 'catch-up';
  private queue: StoreEvent[] = [];
  private head = 0;
  private waiter?: Waiter;
  private failure?: unknown;
  /** The highest revision delivered or queued. */
  private seen: number;
  /** The revision of the last event handed to the consumer. */
  private delivered: number;

  constructor(private readonly opts: LogWatchOptions) {
    this.seen = opts.fromRevision;
    this.delivered = opts.fromRevision;
  }

  /** True when a live event of `namespace` should be offered to this watch. */
  wants(namespace: string): boolean {
    return this.mode === 'live' && (!this.opts.namespace || this.opts.namespace === namespace);
  }

  /** Takes a just-committed event; never blocks. */
  offer(event: StoreEvent): void {
    if (this.mode !== 'live' || event.revision <= this.seen) return;
    this.seen = event.revision;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.delivered = event.revision;
      waiter.resolve({ value: event, done: false });
      return;
    }
    if (this.queue.length - this.head >= this.opts.bufferSize) {
      // Everything not yet delivered is still in the log; re-read it from there.
      this.seen = this.delivered;
      this.queue = [];
      this.head = 0;
      this.mode = 'catch-up';
      return;
    }
    this.queue.push(event);
  }

  /** The next event; resolves done after stop(), rejects once when the watch failed. */
  next(): Promise<IteratorResult<StoreEvent>> {
    if (this.head < this.queue.length) return Promise.resolve({ value: this.shift(), done: false });
    if (this.mode === 'catch-up') {
      let events: StoreEvent[];
      try {
        events = this.opts.read(this.seen, this.opts.batchSize);
      } catch (e) {
        this.end(e);
        return this.next();
      }
      if (events.length < this.opts.batchSize) this.mode = 'live';
      if (events.length > 0) {
        this.queue = events;
        this.head = 0;
        this.seen = events[events.length - 1].revision;
        return Promise.resolve({ value: this.shift(), done: false });
      }
    }
    if (this.mode === 'ended') {
      const failure = this.failure;
      if (failure === undefined) return Promise.resolve(DONE);
      this.failure = undefined;
      return Promise.reject(failure);
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** Ends the iteration: a pending next() resolves done. Idempotent. */
  stop(): void {
    this.end();
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

  private shift(): StoreEvent {
    const event = this.queue[this.head++];
    this.delivered = event.revision;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return event;
  }

  private end(failure?: unknown): void {
    if (this.mode === 'ended') return;
    this.mode = 'ended';
    this.queue = [];
    this.head = 0;
    this.opts.onEnd();
    const waiter = this.waiter;
    this.waiter = undefined;
    if (!waiter) {
      this.failure = failure;
    } else if (failure === undefined) {
      waiter.resolve(DONE);
    } else {
      waiter.reject(failure);
    }
  }
}

/** Routes committed events of each type to its live watches. */
export class WatchHub {
  private readonly byResource = new Map<string, Set<LogWatch>>();

  /** Registers a watch of `resource`. */
  add(resource: string, watch: LogWatch): void {
    let set = this.byResource.get(resource);
    if (!set) {
      set = new Set();
      this.byResource.set(resource, set);
    }
    set.add(watch);
  }

  /** Unregisters a watch. Idempotent. */
  remove(resource: string, watch: LogWatch): void {
    const set = this.byResource.get(resource);
    if (!set) return;
    set.delete(watch);
    if (set.size === 0) this.byResource.delete(resource);
  }

  /**
   * Offers a committed change to every live watch of its type and namespace.
   * `make` builds the event at most once, and only when someone wants it; the
   * event is shared between watchers, which treat it as immutable.
   */
  publish(resource: string, namespace: string, make: () => StoreEvent): void {
    const set = this.byResource.get(resource);
    if (!set) return;
    let event: StoreEvent | undefined;
    for (const watch of set) {
      if (!watch.wants(namespace)) continue;
      event ??= make();
      watch.offer(event);
    }
  }

  /** Stops every watch (store shutdown). */
  stopAll(): void {
    for (const set of [...this.byResource.values()]) for (const watch of [...set]) watch.stop();
    this.byResource.clear();
  }
}
