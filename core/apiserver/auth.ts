/**
 * Authentication and authorization seams. Bearer tokens are the first
 * authenticator; node credentials and IAM tokens plug in as more
 * `Authenticator`s later.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ResourceRequestInfo } from './request-info.ts';
import type { ApiRequest, UserInfo } from './types.ts';

/** Establishes who sent a request; undefined means "not me" (try the next one, then 401). */
export interface Authenticator {
  authenticate(req: ApiRequest): Promise<UserInfo | undefined>;
}

/** Decides whether a user may perform a resource request. */
export interface Authorizer {
  authorize(user: UserInfo, info: ResourceRequestInfo): Promise<{ allowed: boolean; reason?: string }>;
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
      const header = req.headers.authorization ?? '';
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) return undefined;
      const h = digest(m[1]);
      return entries.find((e) => timingSafeEqual(e.hash, h))?.user;
    },
  };
}

/** Allows members of system:masters everything and nobody else anything (node rules come with the agent). */
export const mastersAuthorizer: Authorizer = {
  async authorize(user) {
    return user.groups.includes(MASTERS_GROUP)
      ? { allowed: true }
      : { allowed: false, reason: 'no RBAC policy matched' };
  },
};
