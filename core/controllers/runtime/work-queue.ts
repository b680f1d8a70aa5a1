/**
 * The work queue control loops pull keys from: a key added while already
 * pending is queued once (deduplication), delayed adds fire later, and a key
 * being processed that is added again is processed again afterwards. The SQS
 * implementation (AWS) and this in-process one share the interface.
 */

/** A queue of object keys with delays and deduplication. */
export interface WorkQueue {
  /** Queues `key` now or after `delayMs`; a key already pending keeps its earliest time. */
  add(key: string, delayMs?: number): void;
  /** Stops delivering; pending keys are dropped. */
  shutDown(): void;
}

/** Options of the in-process queue. */
export interface InMemoryQueueOptions {
  /** Called for each key, one at a time per key; at most `concurrency` keys at once. */
  process(key: string): Promise<void>;
  concurrency?: number;
}

/** The in-process WorkQueue used by the local cluster. */
export class InMemoryWorkQueue implements WorkQueue {
  private ready: string[] = [];
  private pending = new Set<string>();
  private active = new Set<string>();
  private dirty = new Set<string>();
  private timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: InMemoryQueueOptions) {}

  add(key: string, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      const at = Date.now() + delayMs;
      const existing = this.timers.get(key);
      if (existing && existing.at <= at) return;
      if (existing) clearTimeout(existing.timer);
      const timer = setTimeout(() => {
        this.timers.delete(key);
        this.add(key);
      }, delayMs);
      timer.unref();
      this.timers.set(key, { at, timer });
      return;
    }
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.ready.push(key);
    this.pump();
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 4;
    while (!this.stopped && this.running < limit && this.ready.length) {
      const key = this.ready.shift() as string;
      this.pending.delete(key);
      this.active.add(key);
      this.running++;
      this.opts
        .process(key)
        .catch(() => {})
        .finally(() => {
          this.running--;
          this.active.delete(key);
          if (this.dirty.delete(key)) this.add(key);
          this.pump();
          if (this.running === 0 && this.ready.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  /** Resolves when nothing is queued or running (delayed keys are not waited for). */
  idle(): Promise<void> {
    if (this.running === 0 && this.ready.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  shutDown(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.ready = [];
    this.pending.clear();
  }
}
