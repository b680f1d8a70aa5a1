/**
 * Image pulls as the kubelet decides them: `imagePullPolicy` (Always,
 * IfNotPresent, Never; unset means Always for `:latest` or no tag, else
 * IfNotPresent) and registry credentials from `kubernetes.io/dockerconfigjson`
 * (or legacy `.dockercfg`) pull secrets. Pure.
 */
import type { PullAuth } from './runtime.ts';

/** What to do about an image before creating a container. */
export type PullDecision = 'pull' | 'use-local' | 'never-pull-missing';

/** The tag of an image reference (`latest` when none; undefined for a digest). */
export function imageTag(image: string): string | undefined {
  if (image.includes('@')) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon < 0 ? 'latest' : image.slice(colon + 1);
}

/** Kubernetes' default pull policy for an image. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Whether to pull, given the policy and whether the image is present. */
export function decidePull(image: string, policy: string | undefined, present: boolean): PullDecision {
  const p = policy || defaultPullPolicy(image);
  if (p === 'Always') return 'pull';
  if (p === 'Never') return present ? 'use-local' : 'never-pull-missing';
  return present ? 'use-local' : 'pull';
}

/** The registry host of an image reference (`docker.io` for Docker Hub names). */
export function registryHost(image: string): string {
  const first = image.split('/')[0];
  if (image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return first;
  return 'docker.io';
}

function normalizeRegistry(key: string): string {
  let k = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') k = 'docker.io';
  return k;
}

interface DockerAuthEntry {
  username?: string;
  password?: string;
  auth?: string;
}

/**
 * Credentials for `image` from pull secrets' data (base64 values as stored
 * in Secrets), first match wins; undefined when none applies. Never throws
 * on malformed secrets (they are skipped).
 */
export function pullAuthFor(
  image: string,
  secrets: { type?: string; data?: Record<string, string> }[],
): PullAuth | undefined {
  const host = registryHost(image);
  for (const s of secrets) {
    const raw = s.data?.['.dockerconfigjson'] ?? s.data?.['.dockercfg'];
    if (!raw) continue;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    } catch {
      continue;
    }
    const auths = (doc.auths ?? doc) as Record<string, DockerAuthEntry>;
    for (const [key, entry] of Object.entries(auths)) {
      if (normalizeRegistry(key) !== host || typeof entry !== 'object' || !entry) continue;
      let { username, password } = entry;
      if ((!username || !password) && entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        username = decoded.slice(0, i);
        password = decoded.slice(i + 1);
      }
      return { username, password, serverAddress: key };
    }
  }
  return undefined;
}
