import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChunkQueue } from '../../../core/apiserver/chunk-queue.ts';
import { collectStream, type LongPollLimits } from '../../../functions/lib/long-poll.ts';

const LIMITS: LongPollLimits = { budgetMs: 25_000, batchWindowMs: 1_000, maxBytes: 1024 };

describe('collectStream', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits out the budget and returns an empty body when nothing arrives', async () => {
    const queue = new ChunkQueue();
    const stopped = vi.fn();
    queue.onEnd(stopped);
    const result = collectStream(queue, LIMITS);
    await vi.advanceTimersByTimeAsync(24_999);
    expect(stopped).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toEqual({ body: '', chunks: 0, end: 'budget' });
    expect(stopped).toHaveBeenCalledOnce();
  });

  it('answers one batch window after the first chunk, with every chunk of the window in order', async () => {
    const queue = new ChunkQueue();
    const result = collectStream(queue, LIMITS);
    await vi.advanceTimersByTimeAsync(5_000);
    queue.push('{"type":"ADDED"}\n');
    await vi.advanceTimersByTimeAsync(600);
    queue.push('{"type":"MODIFIED"}\n');
    await vi.advanceTimersByTimeAsync(400);
    await expect(result).resolves.toEqual({
      body: '{"type":"ADDED"}\n{"type":"MODIFIED"}\n',
      chunks: 2,
      end: 'window',
    });
    expect(queue.isEnded).toBe(true);
  });

  it('takes what is already buffered when the budget is zero', async () => {
    const queue = new ChunkQueue();
    queue.push('a\n');
    queue.push('b\n');
    const result = collectStream(queue, { ...LIMITS, budgetMs: 0 });
    await vi.advanceTimersByTimeAsync(0);
    await expect(result).resolves.toMatchObject({ body: 'a\nb\n', end: 'budget' });
  });

  it('returns as soon as the stream ends', async () => {
    const queue = new ChunkQueue();
    const result = collectStream(queue, LIMITS);
    queue.push('{"type":"ERROR"}\n');
    queue.end();
    await expect(result).resolves.toEqual({ body: '{"type":"ERROR"}\n', chunks: 1, end: 'ended' });
  });

  it('stops after the chunk that reaches the size limit and closes the stream', async () => {
    const queue = new ChunkQueue();
    const result = collectStream(queue, { ...LIMITS, maxBytes: 10 });
    queue.push('123456\n');
    queue.push('abcdef\n');
    queue.push('never\n');
    await expect(result).resolves.toEqual({ body: '123456\nabcdef\n', chunks: 2, end: 'size' });
    expect(queue.isEnded).toBe(true);
  });

  it('rejects when the stream fails', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield 'x\n';
      throw new Error('store gone');
    }
    await expect(collectStream(failing(), LIMITS)).rejects.toThrow('store gone');
  });
});
