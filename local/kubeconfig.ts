/** Writes kubeconfig files for the local cluster (mode 0600: they hold the admin token). */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

/** What a kubeconfig for one cluster and one token user needs. */
export interface KubeconfigSpec {
  clusterName: string;
  server: string;
  caCert?: string;
  user: string;
  token: string;
  namespace?: string;
}

/** Renders a kubeconfig document. */
export function renderKubeconfig(spec: KubeconfigSpec): string {
  const cluster: Record<string, string> = { server: spec.server };
  if (spec.caCert) cluster['certificate-authority-data'] = Buffer.from(spec.caCert).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: spec.clusterName, cluster }],
    users: [{ name: spec.user, user: { token: spec.token } }],
    contexts: [
      {
        name: spec.clusterName,
        context: {
          cluster: spec.clusterName,
          user: spec.user,
          ...(spec.namespace ? { namespace: spec.namespace } : {}),
        },
      },
    ],
    'current-context': spec.clusterName,
    preferences: {},
  });
}

/** Writes a kubeconfig with mode 0600. */
export function writeKubeconfig(path: string, spec: KubeconfigSpec): void {
  writeFileSync(path, renderKubeconfig(spec), { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The bearer token of the first user in a kubeconfig file, if the file exists and has one. */
export function readKubeconfigToken(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const doc = parse(readFileSync(path, 'utf8')) as { users?: { user?: { token?: string } }[] };
    return doc.users?.[0]?.user?.token;
  } catch {
    return undefined;
  }
}
