/**
 * A FIFO of async tasks with at most `concurrency` running at once: the
 * scheduler's bound on bindings (and status/event writes) in flight.
 */
export class Limiter {
  readonly #waiting: (() => Promise<void>)[] = [];
  #running = 0;
  #waiters: { below: number; resolve: () => void }[] = [];

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error(`concurrency must be >= 1, got ${concurrency}`);
  }

  /** Tasks queued or running. */
  get pending(): number {
    return this.#waiting.length + this.#running;
  }

  /** Queues `task`; it starts when a slot frees. A task's rejection is swallowed: tasks handle their own errors. */
  run(task: () => Promise<void>): void {
    this.#waiting.push(task);
    this.#pump();
  }

  /** Resolves once fewer than `n` tasks are queued or running (at once if already so). */
  below(n: number): Promise<void> {
    if (this.pending < n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ below: n, resolve }));
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    return this.below(1);
  }

  #pump(): void {
    while (this.#running < this.concurrency && this.#waiting.length > 0) {
      const task = this.#waiting.shift() as () => Promise<void>;
      this.#running++;
      task()
        .catch(() => {})
        .finally(() => {
          this.#running--;
          this.#pump();
          this.#notify();
        });
    }
  }

  #notify(): void {
    if (this.#waiters.length === 0) return;
    const still: { below: number; resolve: () => void }[] = [];
    for (const w of this.#waiters) {
      if (this.pending < w.below) w.resolve();
      else still.push(w);
    }
    this.#waiters = still;
  }
}
