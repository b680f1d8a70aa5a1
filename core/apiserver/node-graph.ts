/**
 * The `NodeGraph` the Node authorizer follows, read from the registry (a pod
 * by name, and the pods of a namespace bound to a node), and the cluster's
 * authorizer chain built on it.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { findResource, storageResource } from '../api/resources.ts';
import { isNotFound } from '../errors/index.ts';
import type { Registry } from '../registry/registry.ts';
import { type Authorizer, mastersAuthorizer, unionAuthorizer } from './auth.ts';
import { type NodeGraph, nodeAuthorizer } from './node-authorizer.ts';

/** A NodeGraph over `registry`; every call reads the store (no cache, so it is never stale). */
export function registryNodeGraph(registry: Registry): NodeGraph {
  const pods = findResource('', 'v1', 'pods')!;
  return {
    async getPod(namespace, name) {
      try {
        return (await registry.get(pods, namespace, name)) as Pod;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async podsOnNode(nodeName, namespace) {
      const page = await registry.deps.store.list(storageResource(pods), {
        namespace,
        predicate: (o) => (o as Pod).spec?.nodeName === nodeName,
      });
      return page.items as Pod[];
    },
  };
}

/** The authorizer of a cluster: the Node authorizer over `registry`, then system:masters (Kubernetes' `Node,RBAC`). */
export function clusterAuthorizer(registry: Registry): Authorizer {
  return unionAuthorizer([nodeAuthorizer(registryNodeGraph(registry)), mastersAuthorizer]);
}
