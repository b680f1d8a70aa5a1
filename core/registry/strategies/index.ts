/**
 * The strategy of each served resource; kinds not listed use the default
 * (no status subresource, no generation).
 */
import type { ResourceInfo } from '../../api/resources.ts';
import { storageResource } from '../../api/resources.ts';
import { DEFAULT_STRATEGY, type ResourceStrategy } from '../strategy.ts';
import { namespaceStrategy } from './namespace.ts';
import { podStrategy } from './pod.ts';
import { serviceStrategy } from './service.ts';

const WORKLOAD: ResourceStrategy = { statusSubresource: true, usesGeneration: true };
const WITH_STATUS: ResourceStrategy = { statusSubresource: true, usesGeneration: false };

const STRATEGIES: Record<string, ResourceStrategy> = {
  pods: podStrategy,
  services: serviceStrategy,
  namespaces: namespaceStrategy,
  nodes: WITH_STATUS,
  resourcequotas: WITH_STATUS,
  replicationcontrollers: WORKLOAD,
  'deployments.apps': WORKLOAD,
  'replicasets.apps': WORKLOAD,
  'daemonsets.apps': WORKLOAD,
};

/** The strategy for a resource. */
export function strategyFor(info: Pick<ResourceInfo, 'group' | 'resource'>): ResourceStrategy {
  return STRATEGIES[storageResource(info)] ?? DEFAULT_STRATEGY;
}
