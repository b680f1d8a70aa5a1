/**
 * What every part of the kubelet shares: the runtime, the API client,
 * node identity, the clock, configuration and the optional hooks other
 * agent parts provide (pod networking, service env and hosts). A plain
 * object built once in `kubelet.ts`; tests may build their own.
 */
import type { Container, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../core/apiserver/types.ts';
import type { ApiClient } from '../../core/client/api-client.ts';
import type { ContainerRuntime, RuntimeContainer } from './runtime.ts';

/** PROXY's pod networking hook (agent/proxy/pod-network.ts). */
export interface PodNetworkHook {
  podStarted(podKey: string, pausePid: number): Promise<void>;
  podStopped(podKey: string): void;
}

/** PROXY's service env and hosts functions (agent/proxy/service-env.ts). */
export interface ServiceHooks {
  serviceEnvironment(
    services: readonly Service[],
    namespace: string,
    enableServiceLinks?: boolean,
  ): Record<string, string>;
  serviceHostEntries(services: readonly Service[], namespace: string): { hostname: string[]; ip: string }[];
}

/** Shared kubelet state and dependencies. */
export interface KubeletContext {
  runtime: ContainerRuntime;
  client: ApiClient;
  logger: Logger;
  nodeName: string;
  nodeIp: string;
  now: () => Date;
  /** Periodic resync of every pod worker. */
  resyncMs: number;
  /** Where pod directories live (`<rootDir>/pods/<uid>`). */
  rootDir: string;
  pauseImage: string;
  pauseCommand?: string[];
  nodeAllocatable: { cpu: string; memory: string; 'ephemeral-storage'?: string };
  /** Services known to the agent (for env and hosts). */
  services(): Service[];
  podNetwork?: PodNetworkHook;
  serviceHooks?: ServiceHooks;
  /** Termination messages by container id for `attempts` of `c`. */
  terminationMessages(pod: Pod, c: Container, attempts: RuntimeContainer[]): Promise<Record<string, string>>;
  /** Removes the pod's directory. */
  removePodDir(uid: string): void;
  /** Finishes a deleted pod's deletion in the API (grace 0, uid precondition). */
  deletePod(pod: Pod): Promise<void>;
  /** Pulls images once at a time per image. */
  ensureImage(pod: Pod, image: string, policy: string | undefined): Promise<void>;
}
