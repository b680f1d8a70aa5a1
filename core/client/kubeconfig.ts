/**
 * Reads the cluster address, CA and bearer token of a kubeconfig — the one
 * credential form skube issues (admin and node tokens). Client certificates
 * and exec plugins are not supported.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** Where and how an `ApiClient` connects. */
export interface ClientConfig {
  /** `https://127.0.0.1:6443` */
  server: string;
  /** PEM of the CA that signed the server's certificate; absent for plain HTTP. */
  caCert?: string;
  /** Bearer token. */
  token?: string;
  /** Default namespace of the context. */
  namespace?: string;
}

interface KubeconfigDoc {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  clusters?: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users?: { name: string; user: { token?: string } }[];
}

/**
 * Parses kubeconfig text into a `ClientConfig` for `context` (default: the
 * current context). Throws an Error naming what is missing.
 */
export function parseKubeconfig(text: string, context?: string): ClientConfig {
  const doc = (parse(text) ?? {}) as KubeconfigDoc;
  const name = context ?? doc['current-context'];
  const ctx = doc.contexts?.find((c) => c.name === name)?.context;
  if (!ctx) throw new Error(`kubeconfig: context "${name ?? ''}" not found`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`kubeconfig: cluster "${ctx.cluster}" has no server`);
  const user = doc.users?.find((u) => u.name === ctx.user)?.user;
  const ca = cluster['certificate-authority-data'];
  return {
    server: cluster.server.replace(/\/+$/, ''),
    caCert: ca ? Buffer.from(ca, 'base64').toString('utf8') : undefined,
    token: user?.token,
    namespace: ctx.namespace,
  };
}

/** Reads and parses a kubeconfig file (see `parseKubeconfig`). */
export function loadKubeconfig(path: string, context?: string): ClientConfig {
  return parseKubeconfig(readFileSync(path, 'utf8'), context);
}
