import { describe, expect, it } from 'vitest';
import { InMemoryPendingMarks } from '../../../functions/lib/pending-marks.ts';
import { describePendingMarks } from '../support/pending-marks-suite.ts';

describePendingMarks('in memory', async () => ({ marks: new InMemoryPendingMarks() }));

describe('InMemoryPendingMarks', () => {
  it('forgets a released mark', async () => {
    const marks = new InMemoryPendingMarks();
    await marks.claim('k', { token: 'a', dueAt: 100, expiresAt: 1100 }, 0);
    expect(marks.size).toBe(1);
    await marks.release('k', 'a');
    expect(marks.size).toBe(0);
  });
});
