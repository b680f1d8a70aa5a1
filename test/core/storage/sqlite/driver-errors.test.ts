import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { badRequest } from '../../../../core/errors/index.ts';
import { StorageError, type StorageErrorCode } from '../../../../core/storage/errors.ts';
import { encodeBody, toStorageError } from '../../../../core/storage/sqlite/driver-errors.ts';

describe('toStorageError', () => {
  it.each<[string, unknown, StorageErrorCode]>([
    ['SQLITE_BUSY', new Database.SqliteError('database is locked', 'SQLITE_BUSY'), 'Timeout'],
    ['SQLITE_BUSY_SNAPSHOT', new Database.SqliteError('busy', 'SQLITE_BUSY_SNAPSHOT'), 'Timeout'],
    ['SQLITE_LOCKED', new Database.SqliteError('locked', 'SQLITE_LOCKED'), 'Timeout'],
    ['a primary key clash', new Database.SqliteError('UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'), 'KeyExists'],
    ['a NOT NULL violation', new Database.SqliteError('NOT NULL', 'SQLITE_CONSTRAINT_NOTNULL'), 'InvalidObject'],
    ['SQLITE_TOOBIG', new Database.SqliteError('too big', 'SQLITE_TOOBIG'), 'InvalidObject'],
    ['SQLITE_FULL', new Database.SqliteError('disk full', 'SQLITE_FULL'), 'Unreachable'],
    ['SQLITE_IOERR_WRITE', new Database.SqliteError('io', 'SQLITE_IOERR_WRITE'), 'Unreachable'],
    ['a closed connection', new TypeError('The database connection is not open'), 'Unreachable'],
    ['a corrupt body', new SyntaxError('Unexpected token'), 'InvalidObject'],
  ])('maps %s', (_what, error, code) => {
    const e = toStorageError(error, '/widgets/ns1/a');
    expect(e).toBeInstanceOf(StorageError);
    expect((e as StorageError).code).toBe(code);
    expect((e as StorageError).key).toBe('/widgets/ns1/a');
  });

  it('passes StorageErrors and StatusErrors through', () => {
    const s = new StorageError('Conflict', 'x');
    const b = badRequest('invalid continue token: x');
    expect(toStorageError(s)).toBe(s);
    expect(toStorageError(b)).toBe(b);
  });
});

describe('encodeBody', () => {
  it('rejects a cyclic object as InvalidObject', () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    expect(() => encodeBody(o, '/k')).toThrow(expect.objectContaining({ code: 'InvalidObject' }));
  });
});
