/**
 * The node half of the kubelet: registers the Node (or adopts an existing
 * one, updating its labels and addresses), renews its Lease in
 * kube-node-lease every 10 s, and posts node status when it changes (and
 * at least every minute). Blocks nothing: timers run until `stop()`.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { rfc3339Micro } from '../../core/api/time.ts';
import type { Logger } from '../../core/apiserver/types.ts';
import type { ApiClient } from '../../core/client/api-client.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../../core/errors/index.ts';
import type { HostFacts, NodeConfig } from './node-status.ts';
import { nodeObject, nodeStatus, nodeStatusChanged } from './node-status.ts';

/** Lease renewal interval (kubelet: 10 s) and duration (40 s). */
export const LEASE_RENEW_MS = 10_000;
export const LEASE_DURATION_S = 40;
/** Node status is posted at least this often even when unchanged. */
export const STATUS_REPORT_MS = 60_000;
const STATUS_CHECK_MS = 10_000;

/** Dependencies of the node agent. */
export interface NodeAgentDeps {
  client: ApiClient;
  config: NodeConfig;
  facts: () => HostFacts;
  logger: Logger;
  now?: () => Date;
}

const nodePath = (name: string) => `/api/v1/nodes/${encodeURIComponent(name)}`;
const leasePath = (name: string) =>
  `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${encodeURIComponent(name)}`;

/** Creates the Node or brings an existing one's labels/addresses up to date; then posts its status. */
export async function registerNode(deps: NodeAgentDeps): Promise<Node> {
  const now = deps.now?.() ?? new Date();
  const desired = nodeObject(deps.config, deps.facts(), now);
  try {
    await deps.client.create<Node>('/api/v1/nodes', desired);
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
    await deps.client.patch(
      nodePath(deps.config.nodeName),
      { metadata: { labels: desired.metadata!.labels } },
      'merge',
    );
  }
  return postNodeStatus(deps, true);
}

/** Posts node status (retrying conflicts) when it changed or `force`; returns the Node. */
export async function postNodeStatus(deps: NodeAgentDeps, force: boolean): Promise<Node> {
  for (let attempt = 0; ; attempt++) {
    const current = await deps.client.get<Node>(nodePath(deps.config.nodeName));
    const next = nodeStatus(deps.config, deps.facts(), current.status, deps.now?.() ?? new Date());
    if (!force && !nodeStatusChanged(current.status, next)) return current;
    try {
      return await deps.client.update<Node>(`${nodePath(deps.config.nodeName)}/status`, { ...current, status: next });
    } catch (e) {
      if (!isConflict(e) || attempt > 5) throw e;
    }
  }
}

/** Creates or renews the node's Lease. */
export async function renewLease(deps: NodeAgentDeps): Promise<void> {
  const name = deps.config.nodeName;
  const now = rfc3339Micro(deps.now?.() ?? new Date());
  try {
    const lease = await deps.client.get<Lease>(leasePath(name));
    await deps.client.update(leasePath(name), {
      ...lease,
      spec: { ...lease.spec, holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_S, renewTime: now },
    });
  } catch (e) {
    if (!isNotFound(e)) throw e;
    const node = await deps.client.get<Node>(nodePath(name));
    await deps.client.create('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace: 'kube-node-lease',
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata!.uid! }],
      },
      spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_S, renewTime: now },
    });
  }
}

/** Registers the node, then keeps its Lease and status fresh until `stop()`. */
export async function startNodeAgent(deps: NodeAgentDeps): Promise<{ node: Node; stop(): void }> {
  const node = await registerNode(deps);
  await renewLease(deps).catch((e) => deps.logger.warn({ err: String(e) }, 'lease renewal failed'));
  let lastPost = Date.now();
  const lease = setInterval(() => {
    renewLease(deps).catch((e) => deps.logger.warn({ err: String(e) }, 'lease renewal failed'));
  }, LEASE_RENEW_MS);
  const status = setInterval(() => {
    const force = Date.now() - lastPost >= STATUS_REPORT_MS;
    postNodeStatus(deps, force)
      .then(() => {
        if (force) lastPost = Date.now();
      })
      .catch((e) => deps.logger.warn({ err: String(e) }, 'node status update failed'));
  }, STATUS_CHECK_MS);
  return {
    node,
    stop() {
      clearInterval(lease);
      clearInterval(status);
    },
  };
}
