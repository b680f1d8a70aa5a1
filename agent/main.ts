/**
 * The node agent (`skube agent`): reads the kubeconfig, obtains node
 * credentials, registers the Node and keeps its Lease and status fresh,
 * runs the pods bound to it through Docker, and starts the kubelet server
 * and the Service proxy when those parts are present. `startAgent` is what
 * both the CLI and `skube up` call.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Logger } from '../core/apiserver/types.ts';
import { ApiClient } from '../core/client/api-client.ts';
import { type ClientConfig, loadKubeconfig } from '../core/client/kubeconfig.ts';
import { dockerRuntime } from './kubelet/docker-runtime.ts';
import { ec2Zone, readHostFacts } from './kubelet/host-facts.ts';
import type { PodNetworkHook, ServiceHooks } from './kubelet/kubelet-context.ts';
import { type Kubelet, startKubelet } from './kubelet/kubelet.ts';
import { startNodeAgent } from './kubelet/node-agent.ts';
import { nodeStatus, type NodeConfig } from './kubelet/node-status.ts';
import { optionalModule } from './optional-modules.ts';

/** The Kubernetes version the agent reports as its kubelet version. */
export const KUBELET_VERSION = 'v1.32.0-skube';
/** Kubernetes' pause image; any image works with `pauseCommand` (e.g. busybox with `sleep`). */
export const DEFAULT_PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
/** The kubelet's default port. */
export const DEFAULT_KUBELET_PORT = 10250;

/** Options of `startAgent` (the `skube agent` flags). */
export interface AgentOptions {
  /** A kubeconfig path, or a client configuration. */
  kubeconfig: string | ClientConfig;
  nodeName: string;
  nodeIp: string;
  zone?: string;
  /** Ask the EC2 instance metadata service (IMDSv2) for the zone. Off unless asked for. */
  ec2Metadata?: boolean;
  /** Port of the kubelet server; 0 picks a free one. */
  kubeletPort?: number;
  pauseImage?: string;
  pauseCommand?: string[];
  dockerSocket?: string;
  /** Pod directories (volumes, termination logs); default `~/.skube/agent/<node>`. */
  rootDir?: string;
  /** Run the Service proxy (when present); default true. */
  proxy?: boolean;
  logger: Logger;
}

/** A running agent. */
export interface Agent {
  nodeName: string;
  kubelet: Kubelet;
  /** Stops the agent; pods and their containers keep running. */
  stop(): Promise<void>;
}

interface CredentialsModule {
  obtainNodeCredentials(bootstrap: ApiClient, nodeName: string): Promise<ClientConfig>;
}
interface ServerModule {
  startKubeletServer(opts: {
    nodeIp: string;
    port: number;
    docker: Docker;
    nodeName: string;
    authenticate?: unknown;
    logger?: Logger;
  }): Promise<{ port: number; close(): Promise<void> | void }>;
}
interface ServerAuthModule {
  apiServerAuthenticator(client: ApiClient): unknown;
}
interface PodNetworkModule {
  createPodNetwork?(opts: { nodeName: string; nodeIp: string; logger: Logger }): PodNetworkHook;
}
interface ProxyModule {
  startProxy?(opts: {
    client: ApiClient;
    nodeName: string;
    nodeIp: string;
    logger: Logger;
    podNetwork?: PodNetworkHook;
  }): Promise<{ stop(): Promise<void> | void }>;
}

/** Starts the node agent. Throws when the API or Docker cannot be reached. */
export async function startAgent(opts: AgentOptions): Promise<Agent> {
  const { logger, nodeName, nodeIp } = opts;
  const bootstrap = new ApiClient(
    typeof opts.kubeconfig === 'string' ? loadKubeconfig(opts.kubeconfig) : opts.kubeconfig,
  );
  const credentials = await optionalModule<CredentialsModule>('./credentials.ts');
  const client = credentials ? new ApiClient(await credentials.obtainNodeCredentials(bootstrap, nodeName)) : bootstrap;
  const runtime = dockerRuntime({ socketPath: opts.dockerSocket });
  const runtimeVersion = await runtime.version();
  const rootDir = opts.rootDir ?? join(homedir(), '.skube', 'agent', nodeName);
  mkdirSync(rootDir, { recursive: true, mode: 0o700 });
  const zone = opts.zone ?? (opts.ec2Metadata ? await ec2Zone() : undefined);

  const stops: (() => Promise<void> | void)[] = [];
  let kubeletPort = opts.kubeletPort ?? DEFAULT_KUBELET_PORT;
  const server = await optionalModule<ServerModule>('./server/kubelet-server.ts');
  if (server) {
    const auth = await optionalModule<ServerAuthModule>('./server/auth.ts');
    const s = await server.startKubeletServer({
      nodeIp,
      port: kubeletPort,
      docker: runtime.docker,
      nodeName,
      authenticate: auth?.apiServerAuthenticator(client),
      logger,
    });
    kubeletPort = s.port;
    stops.push(() => s.close());
  }
  const config: NodeConfig = { nodeName, nodeIp, zone, kubeletPort, kubeletVersion: KUBELET_VERSION };
  const facts = () => readHostFacts(rootDir, runtimeVersion);
  const node = await startNodeAgent({ client, config, facts, logger });
  stops.push(() => node.stop());

  const envModule = await optionalModule<ServiceHooks>('./proxy/service-env.ts');
  const netModule = await optionalModule<PodNetworkModule>('./proxy/pod-network.ts');
  const podNetwork = netModule?.createPodNetwork?.({ nodeName, nodeIp, logger });
  const allocatable = nodeStatus(config, facts(), undefined, new Date()).allocatable!;
  const kubelet = startKubelet({
    client,
    runtime,
    logger,
    nodeName,
    nodeIp,
    rootDir,
    pauseImage: opts.pauseImage ?? DEFAULT_PAUSE_IMAGE,
    pauseCommand: opts.pauseCommand,
    nodeAllocatable: { cpu: allocatable.cpu, memory: allocatable.memory },
    podNetwork,
    serviceHooks: envModule?.serviceEnvironment ? envModule : undefined,
  });
  stops.push(() => kubelet.stop());
  if (opts.proxy !== false) {
    const proxy = await optionalModule<ProxyModule>('./proxy/proxy.ts');
    if (proxy?.startProxy) {
      const p = await proxy.startProxy({ client, nodeName, nodeIp, logger, podNetwork });
      stops.push(() => p.stop());
    }
  }
  logger.info({ node: nodeName, nodeIp, runtime: runtimeVersion, kubeletPort }, 'node agent running');
  return {
    nodeName,
    kubelet,
    async stop() {
      for (const s of stops.reverse()) await s();
      client.close();
      if (client !== bootstrap) bootstrap.close();
    },
  };
}
