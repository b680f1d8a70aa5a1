import { describe, expect, it } from 'vitest';
import { compactionTarget } from '../../../../core/storage/sqlite/compaction.ts';

describe('compactionTarget', () => {
  const retention = { keepRevisions: 100, keepMillis: 300_000 };

  it.each([
    ['nothing when the log is young and short', 50, null, 0],
    ['down to the newest keepRevisions', 250, null, 150],
    ['everything older than keepMillis', 250, 200, 200],
    ['the count bound when it reaches further than the age bound', 250, 120, 150],
    ['never past the current revision', 10, 10, 10],
  ])('compacts %s', (_what, current, newestExpired, target) => {
    expect(compactionTarget(current, newestExpired, retention)).toBe(target);
  });
});
