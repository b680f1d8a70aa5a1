import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Durability, openDatabase, SCHEMA_VERSION } from '../../../../core/storage/sqlite/schema.ts';

describe('openDatabase', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it.each<[Durability, number]>([
    ['process-crash', 1],
    ['power-loss', 2],
  ])('opens in WAL mode with the synchronous level of %s', async (durability, level) => {
    dir = await mkdtemp(join(tmpdir(), 'skube-schema-'));
    const db = openDatabase(join(dir, 'store.db'), durability);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(level);
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer schema', async () => {
    dir = await mkdtemp(join(tmpdir(), 'skube-schema-'));
    const path = join(dir, 'store.db');
    const db = openDatabase(path, 'process-crash');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(path, 'process-crash')).toThrow(/newer than supported/);
  });
});
