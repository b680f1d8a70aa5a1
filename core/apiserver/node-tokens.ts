/**
 * Node credentials: bearer tokens of the form `skn.<base64url(node name)>.<secret>`
 * whose SHA-256 digest is kept in the Secret `kube-system/skube-node-token-<node>`
 * (type `skube.io/node-token`); the clear token exists only in the agent's
 * memory. The authenticator turns a valid token into user `system:node:<name>`
 * in group `system:nodes`. Writing that Secret (which needs the rights of an
 * admin) is how an agent is issued a credential: see `agent/credentials.ts`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { KubeObject } from '../api/object.ts';
import { findResource } from '../api/resources.ts';
import { isAlreadyExists, isNotFound } from '../errors/index.ts';
import { systemContext } from '../registry/bootstrap.ts';
import type { Registry } from '../registry/registry.ts';
import { type Authenticator, bearerToken } from './auth.ts';
import { KUBELET_CLIENT_CONFIGMAP, KUBELET_CLIENT_DIGEST_KEY } from './connect.ts';
import { NODE_USER_PREFIX, NODES_GROUP } from './node-authorizer.ts';
import type { UserInfo } from './types.ts';

/** The namespace of node token Secrets. */
export const NODE_TOKEN_NAMESPACE = 'kube-system';
/** The `type` of node token Secrets. */
export const NODE_TOKEN_SECRET_TYPE = 'skube.io/node-token';
/** The data key holding the token's SHA-256 (hex). */
export const NODE_TOKEN_DIGEST_KEY = 'token-sha256';
/** The data key holding the node name. */
export const NODE_TOKEN_NODE_KEY = 'node-name';

const PREFIX = 'skn';

/** The name of the Secret holding `nodeName`'s token digest. */
export const nodeTokenSecretName = (nodeName: string) => `skube-node-token-${nodeName}`;

/** SHA-256 (hex) of a token. */
export const tokenDigest = (token: string) => createHash('sha256').update(token).digest('hex');

/** Builds a node token from a node name and a random secret part (base64url, no dots). */
export function formatNodeToken(nodeName: string, secret: string): string {
  return `${PREFIX}.${Buffer.from(nodeName, 'utf8').toString('base64url')}.${secret}`;
}

/** The node name a token claims, or undefined when it is not a node token. */
export function parseNodeToken(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || !parts[1] || !parts[2]) return undefined;
  const name = Buffer.from(parts[1], 'base64url').toString('utf8');
  return /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) ? name : undefined;
}

/** The Secret that records `token` for `nodeName` (digest only). */
export function nodeTokenSecret(nodeName: string, token: string): KubeObject {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: nodeTokenSecretName(nodeName),
      namespace: NODE_TOKEN_NAMESPACE,
      labels: { 'skube.io/node-token': 'true' },
    },
    type: NODE_TOKEN_SECRET_TYPE,
    data: { [NODE_TOKEN_NODE_KEY]: b64(nodeName), [NODE_TOKEN_DIGEST_KEY]: b64(tokenDigest(token)) },
  } as KubeObject;
}

/** The user a node credential authenticates as. */
export const nodeUser = (nodeName: string): UserInfo => ({
  name: `${NODE_USER_PREFIX}${nodeName}`,
  groups: [NODES_GROUP, 'system:authenticated'],
});

/** Options of the node token authenticator. */
export interface NodeTokenAuthenticatorOptions {
  registry: Registry;
  /** Milliseconds clock for the cache. */
  now?: () => number;
  /** How long a verified token is trusted without reading its Secret again (default 10 s). */
  cacheMillis?: number;
}

/**
 * Authenticates node tokens against their Secrets (constant-time digest
 * comparison). Verified tokens are cached for `cacheMillis`, so a rotated or
 * deleted credential stops working within that time. Tokens that are not node
 * tokens are left to the next authenticator.
 */
export function nodeTokenAuthenticator(opts: NodeTokenAuthenticatorOptions): Authenticator {
  const now = opts.now ?? Date.now;
  const ttl = opts.cacheMillis ?? 10_000;
  const secrets = findResource('', 'v1', 'secrets')!;
  const cache = new Map<string, { user: UserInfo; until: number }>();
  return {
    async authenticate(req) {
      const token = bearerToken(req);
      const nodeName = token ? parseNodeToken(token) : undefined;
      if (!token || !nodeName) return undefined;
      const digest = tokenDigest(token);
      const hit = cache.get(digest);
      if (hit && hit.until > now()) return hit.user;
      cache.delete(digest);
      let secret: KubeObject;
      try {
        secret = await opts.registry.get(secrets, NODE_TOKEN_NAMESPACE, nodeTokenSecretName(nodeName));
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
      const data = (secret as { data?: Record<string, string> }).data ?? {};
      const stored = Buffer.from(Buffer.from(data[NODE_TOKEN_DIGEST_KEY] ?? '', 'base64').toString('utf8'), 'hex');
      const storedNode = Buffer.from(data[NODE_TOKEN_NODE_KEY] ?? '', 'base64').toString('utf8');
      const presented = Buffer.from(digest, 'hex');
      const type = (secret as { type?: string }).type;
      if (type !== NODE_TOKEN_SECRET_TYPE || storedNode !== nodeName || stored.length !== presented.length) {
        return undefined;
      }
      if (!timingSafeEqual(stored, presented)) return undefined;
      const user = nodeUser(nodeName);
      if (cache.size > 10_000) cache.clear();
      cache.set(digest, { user, until: now() + ttl });
      return user;
    },
  };
}

/**
 * Publishes the SHA-256 of the token this API server presents to kubelets in
 * the ConfigMap `kube-system/skube-kubelet-client` (created or overwritten),
 * where agents read it with their node credential. Idempotent.
 */
export async function publishKubeletClientDigest(registry: Registry, token: string, now: Date): Promise<void> {
  const configmaps = findResource('', 'v1', 'configmaps')!;
  const body: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: KUBELET_CLIENT_CONFIGMAP, namespace: NODE_TOKEN_NAMESPACE },
    data: { [KUBELET_CLIENT_DIGEST_KEY]: tokenDigest(token) },
  } as KubeObject;
  const ctx = systemContext(now);
  try {
    await registry.create(ctx, configmaps, NODE_TOKEN_NAMESPACE, body);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    const replace = (cur: KubeObject) => ({ ...cur, data: body.data }) as KubeObject;
    await registry.write(ctx, configmaps, NODE_TOKEN_NAMESPACE, KUBELET_CLIENT_CONFIGMAP, replace, '');
  }
}
