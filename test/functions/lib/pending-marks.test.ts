import { describe, expect, it } from 'vitest';
import { InMemoryPendingMarks } from '../../../functions/lib/pending-marks.ts';

const mark = (token: string, dueAt: number, expiresAt = dueAt + 1000) => ({ token, dueAt, expiresAt });

describe('InMemoryPendingMarks', () => {
  it('claims a key that has no mark', async () => {
    const marks = new InMemoryPendingMarks();
    expect(await marks.claim('k', mark('a', 100), 0)).toBe(true);
    expect(await marks.get('k', 0)).toEqual(mark('a', 100));
  });

  it.each<[string, number, boolean]>([
    ['refuses a claim due later than the current mark', 200, false],
    ['refuses a claim due at the same time', 100, false],
    ['lets a claim due earlier replace the current mark', 50, true],
  ])('%s', async (_name, dueAt, claimed) => {
    const marks = new InMemoryPendingMarks();
    await marks.claim('k', mark('a', 100), 0);
    expect(await marks.claim('k', mark('b', dueAt), 0)).toBe(claimed);
    expect((await marks.get('k', 0))?.token).toBe(claimed ? 'b' : 'a');
  });

  it('lets a claim replace an expired mark and hides it from get', async () => {
    const marks = new InMemoryPendingMarks();
    await marks.claim('k', mark('a', 100, 500), 0);
    expect(await marks.get('k', 501)).toBeUndefined();
    expect(await marks.claim('k', mark('b', 900), 501)).toBe(true);
  });

  it('releases only with the owning token', async () => {
    const marks = new InMemoryPendingMarks();
    await marks.claim('k', mark('a', 100), 0);
    await marks.release('k', 'other');
    expect(marks.size).toBe(1);
    await marks.release('k', 'a');
    await marks.release('k', 'a');
    expect(marks.size).toBe(0);
  });

  it('keeps keys apart', async () => {
    const marks = new InMemoryPendingMarks();
    expect(await marks.claim('a', mark('1', 100), 0)).toBe(true);
    expect(await marks.claim('b', mark('2', 200), 0)).toBe(true);
  });
});
