/**
 * Pending marks: the small shared record that makes a standard SQS queue
 * deduplicate work keys. A key has a mark while a message for it is waiting;
 * `add` sends a message only when it can claim the mark, so adding the same
 * key ten times while it waits sends one message.
 *
 * In AWS the natural home is a DynamoDB item per key (`pk = queue#key`, with
 * `token`, `dueAt`, and `expiresAt` as the table's TTL attribute): `claim` is
 * a PutItem with `attribute_not_exists(pk) OR dueAt > :dueAt OR expiresAt <
 * :now`, and `release` a DeleteItem with `token = :token` whose conditional
 * failure is ignored. This file holds the contract and the in-memory
 * implementation the tests and a single process use.
 */

/** One key's pending mark. */
export interface PendingMark {
  /** Identifies the message that owns the mark (a random id per send). */
  token: string;
  /** When that message is due, epoch ms. */
  dueAt: number;
  /**
   * After this instant (epoch ms) the mark no longer blocks a claim. It bounds
   * how long a lost message (a crash between claim and send, a message moved
   * to the dead-letter queue) can hold the key.
   */
  expiresAt: number;
}

/** The store of pending marks a work queue shares between its producers and consumers. */
export interface PendingMarks {
  /**
   * Atomically sets `mark` for `key` when there is no mark, the current mark
   * has expired at `now`, or the current mark is due later than `mark.dueAt`
   * (an earlier add wins). Returns whether it was set: false means a message
   * already pending covers the key no later than asked.
   */
  claim(key: string, mark: PendingMark, now: number): Promise<boolean>;
  /** The live mark of `key` at `now`, if any. */
  get(key: string, now: number): Promise<PendingMark | undefined>;
  /** Deletes the mark of `key` only if it is still owned by `token`. Idempotent. */
  release(key: string, token: string): Promise<void>;
}

/** PendingMarks in one process's memory: for tests, and for a single consumer process. */
export class InMemoryPendingMarks implements PendingMarks {
  private readonly marks = new Map<string, PendingMark>();

  async claim(key: string, mark: PendingMark, now: number): Promise<boolean> {
    const current = this.marks.get(key);
    if (current && current.expiresAt >= now && current.dueAt <= mark.dueAt) return false;
    this.marks.set(key, { ...mark });
    return true;
  }

  async get(key: string, now: number): Promise<PendingMark | undefined> {
    const current = this.marks.get(key);
    return current && current.expiresAt >= now ? { ...current } : undefined;
  }

  async release(key: string, token: string): Promise<void> {
    if (this.marks.get(key)?.token === token) this.marks.delete(key);
  }

  /** How many marks are held, expired or not (tests). */
  get size(): number {
    return this.marks.size;
  }
}
