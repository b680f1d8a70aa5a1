import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../../core/errors/index.ts';
import { decodeContinue, encodeContinue } from '../../../../core/storage/sqlite/continue-token.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('continue tokens', () => {
  it('round-trip a position', () => {
    const pos = { rev: 42, namespace: 'kube-system', name: 'coredns-ü' };
    expect(decodeContinue(encodeContinue(pos))).toEqual(pos);
  });

  it.each([
    ['garbage', '!!!'],
    ['JSON that is not an object', b64(7)],
    ['another version', b64({ v: 2, rev: 1, ns: '', name: 'a' })],
    ['a non-integer revision', b64({ v: 1, rev: 1.5, ns: '', name: 'a' })],
    ['revision 0', b64({ v: 1, rev: 0, ns: '', name: 'a' })],
    ['an empty name', b64({ v: 1, rev: 3, ns: '', name: '' })],
  ])('rejects %s with 400 BadRequest', (_what, token) => {
    expect(() => decodeContinue(token)).toThrow(StatusError);
    try {
      decodeContinue(token);
    } catch (e) {
      expect((e as StatusError).code).toBe(400);
      expect((e as StatusError).message).toMatch(/^invalid continue token/);
    }
  });
});
