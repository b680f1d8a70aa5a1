/**
 * The opaque `continue` token of paginated lists: the revision of the first
 * page and the last key returned, as base64url JSON. Clients never look
 * inside; the store rebuilds the state at `rev` to serve later pages.
 */
import { badRequest } from '../../errors/index.ts';

/** What a continue token carries. */
export interface ContinuePosition {
  /** The revision every page of this list reflects. */
  rev: number;
  /** The next page starts strictly after this (namespace, name). */
  namespace: string;
  name: string;
}

/** Encodes a position as an opaque token. */
export function encodeContinue(pos: ContinuePosition): string {
  return Buffer.from(JSON.stringify({ v: 1, rev: pos.rev, ns: pos.namespace, name: pos.name })).toString('base64url');
}

/**
 * Decodes a token. Throws a 400 BadRequest StatusError when it is malformed,
 * as Kubernetes' storage layer does for invalid continue tokens.
 */
export function decodeContinue(token: string): ContinuePosition {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('invalid continue token: not a token this server issued');
  }
  const t = raw as { v?: unknown; rev?: unknown; ns?: unknown; name?: unknown } | null;
  if (
    t?.v !== 1 ||
    typeof t.rev !== 'number' ||
    !Number.isSafeInteger(t.rev) ||
    t.rev < 1 ||
    typeof t.ns !== 'string' ||
    typeof t.name !== 'string' ||
    t.name === ''
  ) {
    throw badRequest('invalid continue token: not a token this server issued');
  }
  return { rev: t.rev, namespace: t.ns, name: t.name };
}
