/**
 * Authentication and authorization seams. Bearer tokens are the first
 * authenticator (admin tokens here, node tokens in `node-tokens.ts`); the
 * node authorizer (`node-authorizer.ts`) and the masters rule are combined
 * with `unionAuthorizer`, as Kubernetes chains `--authorization-mode=Node,RBAC`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ResourceRequestInfo } from './request-info.ts';
import type { ApiRequest, UserInfo } from './types.ts';

/** Establishes who sent a request; undefined means "not me" (try the next one, then 401). */
export interface Authenticator {
  authenticate(req: ApiRequest): Promise<UserInfo | undefined>;
}

/** An authorization decision; `reason` is appended to the 403 message, as Kubernetes does. */
export interface AuthorizationDecision {
  allowed: boolean;
  reason?: string;
}

/**
 * Decides whether a user may perform a resource request. `req` carries the
 * query (field selectors) and the body (the name of an object to create) for
 * authorizers that look at them, as Kubernetes' Node authorizer and
 * NodeRestriction admission do.
 */
export interface Authorizer {
  authorize(user: UserInfo, info: ResourceRequestInfo, req?: ApiRequest): Promise<AuthorizationDecision>;
}

/** The group whose members may do anything, as in Kubernetes. */
export const MASTERS_GROUP = 'system:masters';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Authenticates `Authorization: Bearer <token>` against fixed tokens known
 * only by their SHA-256 (hex), compared in constant time.
 */
export function staticTokenAuthenticator(tokens: { tokenSha256: string; user: UserInfo }[]): Authenticator {
  const entries = tokens.map((t) => ({ hash: Buffer.from(t.tokenSha256, 'hex'), user: t.user }));
  return {
    async authenticate(req) {
      const token = bearerToken(req);
      if (!token) return undefined;
      const h = digest(token);
      return entries.find((e) => e.hash.length === h.length && timingSafeEqual(e.hash, h))?.user;
    },
  };
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(req: ApiRequest): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/**
 * Allows members of system:masters everything; for anyone else it has no
 * opinion (no reason), as RBAC without a matching binding.
 */
export const mastersAuthorizer: Authorizer = {
  async authorize(user) {
    return { allowed: user.groups.includes(MASTERS_GROUP) };
  },
};

/**
 * Asks each authorizer in turn; the first that allows wins. A denial carries
 * the reasons of all of them, joined as Kubernetes' union authorizer does.
 */
export function unionAuthorizer(authorizers: Authorizer[]): Authorizer {
  return {
    async authorize(user, info, req) {
      const reasons: string[] = [];
      for (const a of authorizers) {
        const d = await a.authorize(user, info, req);
        if (d.allowed) return d;
        if (d.reason) reasons.push(d.reason);
      }
      return { allowed: false, reason: reasons.join(', ') || undefined };
    },
  };
}
