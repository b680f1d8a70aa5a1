/**
 * Node credentials for `skube agent`: from the kubeconfig it is given (an
 * identity allowed to write Secrets in kube-system, e.g. the admin), the agent
 * mints a random token for user `system:node:<name>` (group `system:nodes`)
 * and records only its SHA-256 in the Secret `kube-system/skube-node-token-<name>`
 * (see `core/apiserver/node-tokens.ts`). Every call rotates the token: the
 * previous one stops working once the API servers' 10 s cache expires.
 * The token is never written to disk or logged.
 */
import { randomBytes } from 'node:crypto';
import { findResource } from '../core/api/resources.ts';
import {
  formatNodeToken,
  NODE_TOKEN_NAMESPACE,
  nodeTokenSecret,
  nodeTokenSecretName,
} from '../core/apiserver/node-tokens.ts';
import { ApiClient, resourcePath } from '../core/client/api-client.ts';
import type { ClientConfig } from '../core/client/kubeconfig.ts';
import { isAlreadyExists } from '../core/errors/index.ts';

const NODE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Issues a node credential for `nodeName` through `bootstrap` and returns the
 * client configuration that uses it (same server and CA). Throws a
 * `StatusError` when the bootstrap identity may not write the Secret, and an
 * Error when the node name is not a DNS subdomain or the new credential is
 * refused. Idempotent in effect: calling it again issues a fresh token.
 */
export async function obtainNodeCredentials(bootstrap: ApiClient, nodeName: string): Promise<ClientConfig> {
  if (!NODE_NAME.test(nodeName) || nodeName.length > 253 - 'skube-node-token-'.length) {
    throw new Error(`invalid node name "${nodeName}": must be a lowercase RFC 1123 subdomain`);
  }
  const token = formatNodeToken(nodeName, randomBytes(32).toString('base64url'));
  const secret = nodeTokenSecret(nodeName, token);
  const secrets = findResource('', 'v1', 'secrets')!;
  const collection = resourcePath({ resource: secrets.resource, namespace: NODE_TOKEN_NAMESPACE });
  const path = resourcePath({
    resource: 'secrets',
    namespace: NODE_TOKEN_NAMESPACE,
    name: nodeTokenSecretName(nodeName),
  });
  try {
    await bootstrap.create(collection, secret);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    const current = await bootstrap.get<{ metadata: { resourceVersion?: string } }>(path);
    const body = { ...secret, metadata: { ...secret.metadata, resourceVersion: current.metadata.resourceVersion } };
    await bootstrap.update(path, body);
  }
  const config: ClientConfig = { ...bootstrap.config, token };
  // Prove the credential works before handing it out: a node may read its own Node (404 before it registers).
  const probe = await new ApiClient(config).request('GET', resourcePath({ resource: 'nodes', name: nodeName }));
  if (probe.status !== 200 && !(probe.status === 404 && isNotFoundBody(probe.body))) {
    throw new Error(`the API server refused the new node credential for "${nodeName}" (status ${probe.status})`);
  }
  return config;
}

function isNotFoundBody(body: Buffer): boolean {
  try {
    return (JSON.parse(body.toString('utf8')) as { reason?: string }).reason === 'NotFound';
  } catch {
    return false;
  }
}
