/**
 * The local cluster behind `skube up`: the SQLite store in a data directory
 * (or DynamoDB tables, see `store.ts`), the API handler served over HTTPS on
 * loopback, an admin kubeconfig, the system namespaces, and the in-process
 * controllers.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findResource } from '../core/api/resources.ts';
import { MASTERS_GROUP, staticTokenAuthenticator } from '../core/apiserver/auth.ts';
import { createApiHandler } from '../core/apiserver/handler.ts';
import { clusterAuthorizer } from '../core/apiserver/node-graph.ts';
import { nodeTokenAuthenticator, publishKubeletClientDigest } from '../core/apiserver/node-tokens.ts';
import type { Logger } from '../core/apiserver/types.ts';
import { startDaemonSetController } from '../core/controllers/daemonset/sync.ts';
import { startDeploymentController } from '../core/controllers/deployment/sync.ts';
import { startEndpointsController } from '../core/controllers/endpoints/sync.ts';
import { startGarbageCollector } from '../core/controllers/garbagecollector/spec.ts';
import { startNamespaceController } from '../core/controllers/namespace/sync.ts';
import { startNodeLifecycleController } from '../core/controllers/nodelifecycle/sync.ts';
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND } from '../core/controllers/replicaset/kinds.ts';
import { startReplicaController } from '../core/controllers/replicaset/sync.ts';
import { ipString, parseCidr } from '../core/registry/allocators.ts';
import { ensureObject, ensureSystemNamespaces, systemContext } from '../core/registry/bootstrap.ts';
import { Registry } from '../core/registry/registry.ts';
import { startScheduler } from '../core/scheduler/loop.ts';
import type { Store } from '../core/storage/store.ts';
import { createKubeletClient } from '../agent/server/kubelet-client.ts';
import { ensureAdminCredential } from './credentials.ts';
import { startServer } from './http-server.ts';
import { readKubeconfigToken, writeKubeconfig } from './kubeconfig.ts';
import { type LocalStoreOptions, openLocalStore } from './store.ts';
import { ensureTls } from './tls.ts';

/** Options of a local cluster. */
export interface LocalClusterOptions {
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  tls?: boolean;
  serviceCidr?: string;
  logger: Logger;
  /** Where to write the admin kubeconfig (default `<dataDir>/kubeconfig`). */
  kubeconfigPath?: string;
  /** Where objects live (default: SQLite in `dataDir`). */
  store?: LocalStoreOptions;
  /** Log retention of the SQLite store's revision log. */
  compaction?: { keepRevisions?: number; keepMillis?: number; intervalMillis?: number };
  /** Run the scheduler in process (default true). */
  scheduler?: boolean;
  /** Run the workload controllers (replica sets, deployments, endpoints); default true. The namespace controller always runs. */
  controllers?: boolean;
  /** How old a node's heartbeat (Lease) may be before the node is Unknown and tainted (default 40, Kubernetes' `--node-monitor-grace-period`). */
  nodeMonitorGracePeriodSeconds?: number;
  /** `tolerationSeconds` of the not-ready/unreachable NoExecute tolerations every pod gets (default 300, as Kubernetes). */
  defaultTolerationSeconds?: number;
}

/** A running local cluster. */
export interface LocalCluster {
  url: string;
  kubeconfigPath: string;
  store: Store;
  registry: Registry;
  stop(): Promise<void>;
}

/** Kubernetes' default service range. */
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';

/** The `default/kubernetes` Service (first address of the range) and its Endpoints pointing at this API server. */
async function ensureKubernetesService(registry: Registry, cidr: string, host: string, port: number): Promise<void> {
  const { base } = parseCidr(cidr);
  await ensureObject(registry, new Date(), 'services', 'default', {
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: ipString(base + 1),
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }],
    },
  });
  const endpoints = findResource('', 'v1', 'endpoints')!;
  const desired = {
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    },
    subsets: [{ addresses: [{ ip: host }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
  await ensureObject(registry, new Date(), 'endpoints', 'default', desired);
  await registry.update(systemContext(new Date()), endpoints, 'default', 'kubernetes', desired);
}

/** Starts a local cluster. Idempotent over restarts: data, credentials and certificates are reused. */
export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const host = opts.host ?? '127.0.0.1';
  const kubeconfigPath = opts.kubeconfigPath ?? join(opts.dataDir, 'kubeconfig');
  const credential = ensureAdminCredential(opts.dataDir, readKubeconfigToken(kubeconfigPath));
  const tls = opts.tls === false ? undefined : await ensureTls(opts.dataDir, [host, 'localhost']);
  const store = await openLocalStore(opts.dataDir, opts.store, opts.compaction);
  const registry = new Registry({
    store,
    uid: randomUUID,
    random: Math.random,
    serviceCidr: opts.serviceCidr ?? DEFAULT_SERVICE_CIDR,
    nodePortRange: { min: 30000, max: 32767 },
    defaultTolerationSeconds: opts.defaultTolerationSeconds,
  });
  await ensureSystemNamespaces(registry, () => new Date());

  let serverAddress = `${host}:${opts.port ?? 6443}`;
  // The token this API server presents to kubelets lives only in memory; agents check its published digest.
  const kubeletToken = randomBytes(32).toString('base64url');
  await publishKubeletClientDigest(registry, kubeletToken, new Date());
  const kubelets = createKubeletClient({ token: kubeletToken });
  const handler = createApiHandler({
    podConnector: kubelets,
    registry,
    authenticators: [
      staticTokenAuthenticator([
        { tokenSha256: credential.tokenHash, user: { name: 'admin', groups: [MASTERS_GROUP, 'system:authenticated'] } },
      ]),
      nodeTokenAuthenticator({ registry }),
    ],
    authorizer: clusterAuthorizer(registry),
    logger: opts.logger,
    now: () => new Date(),
    // The collector runs with the workload controllers; without it Orphan/Foreground act as Background.
    garbageCollector: opts.controllers !== false,
    get serverAddress() {
      return serverAddress;
    },
  });
  const server = await startServer(handler, {
    host,
    port: opts.port ?? 6443,
    tls,
    relayUpgrade: kubelets.relayUpgrade,
  });
  serverAddress = `${host}:${server.port}`;
  await ensureKubernetesService(registry, opts.serviceCidr ?? DEFAULT_SERVICE_CIDR, host, server.port);
  writeKubeconfig(kubeconfigPath, {
    clusterName: 'skube',
    server: server.url,
    caCert: tls?.caCert,
    user: 'admin',
    token: credential.token,
  });
  const deps = { store, registry, logger: opts.logger };
  const controllers: { stop(): Promise<void> }[] = [await startNamespaceController(deps)];
  if (opts.controllers !== false) {
    controllers.push(
      await startReplicaController(REPLICA_SET_KIND, deps),
      await startReplicaController(REPLICATION_CONTROLLER_KIND, deps),
      await startEndpointsController(deps),
      await startDeploymentController(deps),
      await startDaemonSetController(deps),
      await startNodeLifecycleController({
        ...deps,
        gracePeriodMs:
          opts.nodeMonitorGracePeriodSeconds === undefined ? undefined : opts.nodeMonitorGracePeriodSeconds * 1000,
      }),
      await startGarbageCollector(deps),
    );
  }
  if (opts.scheduler !== false) controllers.push(await startScheduler(deps));
  return {
    url: server.url,
    kubeconfigPath,
    store,
    registry,
    async stop() {
      for (const c of controllers) await c.stop();
      await server.close();
      await store.close();
    },
  };
}
