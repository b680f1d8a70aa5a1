/**
 * The PendingMarks contract, run against every implementation (in memory,
 * DynamoDB) the way the Store conformance suite runs against every store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PendingMarks } from '../../../functions/lib/pending-marks.ts';

/** A fresh, empty PendingMarks per test, and what removes it afterwards. */
export type MakePendingMarks = () => Promise<{ marks: PendingMarks; cleanup?: () => Promise<void> }>;

const mark = (token: string, dueAt: number, expiresAt = dueAt + 1000) => ({ token, dueAt, expiresAt });

/** Registers the contract's cases for one implementation. */
export function describePendingMarks(name: string, make: MakePendingMarks): void {
  describe(`PendingMarks contract: ${name}`, () => {
    let marks: PendingMarks;
    let cleanup: (() => Promise<void>) | undefined;
    beforeEach(async () => {
      ({ marks, cleanup } = await make());
    });
    afterEach(async () => cleanup?.());

    it('claims a key that has no mark', async () => {
      expect(await marks.claim('k', mark('a', 100), 0)).toBe(true);
      expect(await marks.get('k', 0)).toEqual(mark('a', 100));
    });

    it.each<[string, number, boolean]>([
      ['refuses a claim due later than the current mark', 200, false],
      ['refuses a claim due at the same time', 100, false],
      ['lets a claim due earlier replace the current mark', 50, true],
    ])('%s', async (_name, dueAt, claimed) => {
      await marks.claim('k', mark('a', 100), 0);
      expect(await marks.claim('k', mark('b', dueAt), 0)).toBe(claimed);
      expect((await marks.get('k', 0))?.token).toBe(claimed ? 'b' : 'a');
    });

    it('lets a claim replace an expired mark and hides it from get', async () => {
      await marks.claim('k', mark('a', 100, 500), 0);
      expect(await marks.get('k', 500)).toEqual(mark('a', 100, 500));
      expect(await marks.get('k', 501)).toBeUndefined();
      expect(await marks.claim('k', mark('b', 900), 501)).toBe(true);
      expect((await marks.get('k', 501))?.token).toBe('b');
    });

    it('releases only with the owning token, idempotently', async () => {
      await marks.claim('k', mark('a', 100), 0);
      await marks.release('k', 'other');
      expect((await marks.get('k', 0))?.token).toBe('a');
      await marks.release('k', 'a');
      await marks.release('k', 'a');
      expect(await marks.get('k', 0)).toBeUndefined();
      expect(await marks.claim('k', mark('c', 300), 0)).toBe(true);
    });

    it('keeps keys apart', async () => {
      expect(await marks.claim('a', mark('1', 100), 0)).toBe(true);
      expect(await marks.claim('b', mark('2', 200), 0)).toBe(true);
      await marks.release('a', '1');
      expect((await marks.get('b', 0))?.token).toBe('2');
    });

    it('lets exactly one of many racing claims of one key win', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => marks.claim('k', mark(`t${i}`, 100), 0)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await marks.get('k', 0))?.token).toBe(`t${results.indexOf(true)}`);
    });
  });
}
