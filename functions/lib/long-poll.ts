/**
 * Collects a streamed response (a watch) into one buffered body, for
 * transports that cannot stream: API Gateway REST with a buffered Lambda
 * integration answers a watch as a bounded long-poll. Clients that read a
 * watch as concatenated JSON events see a normal watch that ended, and
 * informers re-watch from the last resourceVersion they saw.
 *
 * Collection stops at the first of: the budget is spent; the batch window
 * after the first chunk has passed (so an event is answered promptly instead
 * of waiting out the budget); the stream ended; the body reached `maxBytes`
 * (Lambda's synchronous response limit is 6 MB). The iterator is then closed,
 * which stops the watch behind it.
 */

/** Limits of one collection. */
export interface LongPollLimits {
  /** The longest to wait, ms; 0 takes only what is already buffered. */
  budgetMs: number;
  /** After the first chunk, the longest to keep collecting, ms. */
  batchWindowMs: number;
  /** Stop after the chunk that brings the body to this many bytes. */
  maxBytes: number;
}

/** Why a collection stopped. */
export type LongPollEnd = 'budget' | 'window' | 'ended' | 'size';

/** A collected body. */
export interface LongPollResult {
  body: string;
  chunks: number;
  end: LongPollEnd;
}

/** Lambda refuses synchronous responses over 6 MB; leave room for headers and one more large event. */
export const DEFAULT_MAX_POLL_BYTES = 4 * 1024 * 1024;

type Timer = { fired: Promise<'budget' | 'window'>; cancel(): void };

function timer(ms: number, label: 'budget' | 'window'): Timer {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const fired = new Promise<'budget' | 'window'>((resolve) => {
    handle = setTimeout(() => resolve(label), Math.max(0, ms));
  });
  return { fired, cancel: () => clearTimeout(handle) };
}

/**
 * Reads `stream` within `limits` and returns what arrived, chunks in order and
 * unsplit. Always closes the stream's iterator before returning (without
 * waiting for it, since a generator cannot close while a read is pending).
 * Rejects only when the stream itself throws.
 */
export async function collectStream(stream: AsyncIterable<string>, limits: LongPollLimits): Promise<LongPollResult> {
  const it = stream[Symbol.asyncIterator]();
  const budget = timer(limits.budgetMs, 'budget');
  let window: Timer | undefined;
  const parts: string[] = [];
  let bytes = 0;
  let end: LongPollEnd;
  try {
    for (;;) {
      const next = it.next();
      // A read abandoned at the deadline may still fail later; that failure has no one left to tell.
      next.catch(() => {});
      const waits: Promise<IteratorResult<string> | 'budget' | 'window'>[] = [next, budget.fired];
      if (window) waits.push(window.fired);
      const r = await Promise.race(waits);
      if (r === 'budget' || r === 'window') {
        end = r;
        break;
      }
      if (r.done) {
        end = 'ended';
        break;
      }
      parts.push(r.value);
      bytes += Buffer.byteLength(r.value);
      if (bytes >= limits.maxBytes) {
        end = 'size';
        break;
      }
      window ??= timer(limits.batchWindowMs, 'window');
    }
  } finally {
    budget.cancel();
    window?.cancel();
    it.return?.().catch(() => {});
  }
  return { body: parts.join(''), chunks: parts.length, end };
}
