/**
 * The Endpoints controller: keeps, for every Service with a selector, an
 * Endpoints object of the same name listing the selected pods' addresses,
 * and deletes it when the Service goes away. Services without a selector
 * keep whatever Endpoints their users write.
 */
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.ts';
import { findResource, type ResourceInfo } from '../../api/resources.ts';
import { labelSelectorFromSet } from '../../api/selectors/labels.ts';
import type { Logger } from '../../apiserver/types.ts';
import { isNotFound } from '../../errors/index.ts';
import { systemContext } from '../../registry/bootstrap.ts';
import { deleteObject } from '../../registry/delete.ts';
import type { Registry } from '../../registry/registry.ts';
import { jsonEqual } from '../../registry/object-meta.ts';
import type { Store } from '../../storage/store.ts';
import {
  type ControllerSpec,
  type RunningController,
  type SyncResult,
  startController,
} from '../runtime/controller.ts';
import { objectKey, SelectorIndex, splitKey } from '../selector-index.ts';
import { planEndpoints } from './plan.ts';

const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;

/** Dependencies of the Endpoints controller. */
export interface EndpointsControllerDeps {
  store: Store;
  registry: Registry;
  logger: Logger;
  now?: () => Date;
}

async function getOrUndefined(registry: Registry, info: ResourceInfo, ns: string, name: string) {
  try {
    return await registry.get(info, ns, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/**
 * Reconciles the Endpoints of the Service `namespace/name`. Idempotent;
 * writes only when the computed Endpoints differ from the stored ones, with
 * the read resourceVersion as precondition (a conflict throws, to retry).
 */
export async function syncEndpoints(deps: EndpointsControllerDeps, key: string): Promise<SyncResult | undefined> {
  const ctx = systemContext(deps.now?.() ?? new Date());
  const { namespace, name } = splitKey(key);
  const service = (await getOrUndefined(deps.registry, SERVICES, namespace, name)) as Service | undefined;
  if (!service) {
    try {
      await deleteObject(deps.registry, { garbageCollector: false }, ctx, ENDPOINTS, namespace, name, {});
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    return undefined;
  }
  if (!service.spec?.selector || Object.keys(service.spec.selector).length === 0) return undefined;
  const pods = (await deps.store.list('pods', { namespace })).items as unknown as Pod[];
  const desired = planEndpoints(service, pods);
  if (!desired) return undefined;
  const current = (await getOrUndefined(deps.registry, ENDPOINTS, namespace, name)) as Endpoints | undefined;
  if (!current) {
    const body: Endpoints = { metadata: { name, namespace, labels: desired.labels }, subsets: desired.subsets };
    await deps.registry.create(ctx, ENDPOINTS, namespace, body as unknown as KubeObject);
    return undefined;
  }
  if (jsonEqual(current.metadata?.labels ?? {}, desired.labels) && jsonEqual(current.subsets ?? [], desired.subsets)) {
    return undefined;
  }
  await deps.registry.write(
    ctx,
    ENDPOINTS,
    namespace,
    name,
    (cur) => ({ ...cur, metadata: { ...cur.metadata, labels: desired.labels }, subsets: desired.subsets }),
    '',
    { resourceVersion: current.metadata?.resourceVersion },
  );
  return undefined;
}

/** The Endpoints controller's spec: a Service's changes concern itself; a pod's the Services selecting it (before or after). */
export function endpointsControllerSpec(deps: EndpointsControllerDeps): ControllerSpec {
  const index = new SelectorIndex((s) => {
    const selector = (s as unknown as Service).spec?.selector;
    return selector && Object.keys(selector).length ? labelSelectorFromSet(selector) : undefined;
  });
  return {
    name: 'endpoints',
    watches: [
      {
        resource: 'services',
        keys: (e) => {
          index.observeEvent(e);
          return [objectKey(e.object)];
        },
      },
      {
        resource: 'pods',
        keys: (e) =>
          index.matching(e.object.metadata.namespace ?? '', [
            e.object.metadata.labels,
            ...(e.prevObject ? [e.prevObject.metadata.labels] : []),
          ]),
      },
    ],
    sync: (key) => syncEndpoints(deps, key),
    initialKeys: async () => {
      const services = (await deps.store.list('services')).items;
      for (const s of services) index.observe(s);
      return services.map(objectKey);
    },
  };
}

/** Starts the Endpoints controller in process. */
export function startEndpointsController(deps: EndpointsControllerDeps): Promise<RunningController> {
  return startController(deps.store, endpointsControllerSpec(deps), deps.logger);
}
