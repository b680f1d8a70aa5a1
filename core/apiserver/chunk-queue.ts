/**
 * A push-driven async iterable of string chunks: producers `push` and `end`,
 * one consumer iterates. Ending (by the producer or by the consumer's
 * `return()`) runs the registered cleanup exactly once.
 */
export class ChunkQueue implements AsyncIterable<string> {
  private buffer: string[] = [];
  private waiting: ((r: IteratorResult<string>) => void) | undefined;
  private ended = false;
  private cleanups: (() => void)[] = [];

  /** Registers work to run once when the queue ends (stop a watch, clear timers). */
  onEnd(cleanup: () => void): void {
    if (this.ended) cleanup();
    else this.cleanups.push(cleanup);
  }

  /** True once ended. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Queues a chunk; ignored after end. */
  push(chunk: string): void {
    if (this.ended) return;
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w({ value: chunk, done: false });
    } else this.buffer.push(chunk);
  }

  /** Ends the stream after the buffered chunks. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const c of this.cleanups.splice(0)) c();
    const w = this.waiting;
    if (w && this.buffer.length === 0) {
      this.waiting = undefined;
      w({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return {
      next: () => {
        const chunk = this.buffer.shift();
        if (chunk !== undefined) return Promise.resolve({ value: chunk, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          this.waiting = resolve;
        });
      },
      return: () => {
        this.buffer = [];
        this.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
