/**
 * The node agent `skube up` starts in process when a Docker engine is
 * reachable: node name from the host name, node IP 127.0.0.1 unless given.
 * Without Docker it logs why and returns undefined.
 */
import { hostname } from 'node:os';
import type { Logger } from '../core/apiserver/types.ts';
import { dockerRuntime } from './kubelet/docker-runtime.ts';
import { type Agent, startAgent } from './main.ts';

/** Options of the in-process agent. */
export interface UpAgentOptions {
  kubeconfig: string;
  nodeIp: string;
  nodeName?: string;
  pauseImage?: string;
  dockerSocket?: string;
  logger: Logger;
}

/** Starts the agent if Docker answers; never throws for a missing engine (the cluster runs without nodes). */
export async function startUpAgent(opts: UpAgentOptions): Promise<Agent | undefined> {
  try {
    await dockerRuntime({ socketPath: opts.dockerSocket }).version();
  } catch (e) {
    opts.logger.info({ err: (e as Error).message }, 'no Docker engine reachable: running without a node agent');
    return undefined;
  }
  return startAgent({
    kubeconfig: opts.kubeconfig,
    nodeName: opts.nodeName ?? hostname().toLowerCase(),
    nodeIp: opts.nodeIp,
    pauseImage: opts.pauseImage,
    kubeletPort: 0,
    dockerSocket: opts.dockerSocket,
    logger: opts.logger,
  });
}
