/**
 * How the kubelet server knows a request comes from the API server: the API
 * server presents a bearer token whose SHA-256 it publishes in the ConfigMap
 * `kube-system/skube-kubelet-client` (the token itself exists only in the API
 * server's memory and changes at every start). The agent reads that digest
 * with its node credential, compares in constant time, and re-reads it (at
 * most once a second) when a token does not match, so an API server restart
 * is picked up without restarting agents.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { KUBELET_CLIENT_CONFIGMAP, KUBELET_CLIENT_DIGEST_KEY } from '../../core/apiserver/connect.ts';
import type { ApiClient } from '../../core/client/api-client.ts';

/** Decides whether a request to the kubelet server is the API server's. Never throws. */
export type KubeletAuthenticator = (headers: IncomingHttpHeaders) => Promise<boolean>;

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** A KubeletAuthenticator comparing bearer tokens with the digest `readDigest` returns (hex). */
export function digestAuthenticator(
  readDigest: () => Promise<string | undefined>,
  now: () => number = Date.now,
): KubeletAuthenticator {
  let digest: Buffer | undefined;
  let readAt = Number.NEGATIVE_INFINITY;
  const refresh = async () => {
    if (now() - readAt < 1000) return;
    readAt = now();
    try {
      const hex = await readDigest();
      digest = hex && /^[0-9a-f]{64}$/i.test(hex) ? Buffer.from(hex, 'hex') : undefined;
    } catch {
      // keep the last known digest: the API may be briefly unreachable
    }
  };
  const matches = (presented: Buffer) => !!digest && timingSafeEqual(digest, presented);
  return async (headers) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    if (!m) return false;
    const presented = sha256(m[1]);
    if (matches(presented)) return true;
    await refresh();
    return matches(presented);
  };
}

/** The KubeletAuthenticator of an agent: the digest is read through `client` (the node credential). */
export function apiServerAuthenticator(client: ApiClient): KubeletAuthenticator {
  return digestAuthenticator(async () => {
    const cm = await client.get<{ data?: Record<string, string> }>(
      `/api/v1/namespaces/kube-system/configmaps/${KUBELET_CLIENT_CONFIGMAP}`,
    );
    return cm.data?.[KUBELET_CLIENT_DIGEST_KEY];
  });
}
