import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../core/api/object.ts';
import { findResource, type ResourceInfo } from '../../../../core/api/resources.ts';
import { silentLogger } from '../../../../core/apiserver/types.ts';
import { endpointsControllerSpec, syncEndpoints } from '../../../../core/controllers/endpoints/sync.ts';
import type { StoreEvent } from '../../../../core/storage/store.ts';
import { makeEndpoints, makePod, makeService } from '../../../fixtures/objects.ts';
import { adminCtx, makeRegistry, PODS } from '../../../support/memory-registry.ts';

const SERVICES = findResource('', 'v1', 'services') as ResourceInfo;
const ENDPOINTS = findResource('', 'v1', 'endpoints') as ResourceInfo;

async function setup() {
  const { store, registry } = await makeRegistry();
  const deps = { store, registry, logger: silentLogger };
  const endpoints = async () =>
    (await registry.get(ENDPOINTS, 'default', 'web').catch(() => undefined)) as Endpoints | undefined;
  const addPod = async (name: string, ip: string, ready: boolean) => {
    await registry.create(adminCtx(), PODS, 'default', makePod({ metadata: { name } }) as KubeObject);
    await registry.write(
      adminCtx(),
      PODS,
      'default',
      name,
      (cur) => ({
        ...cur,
        status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
      }),
      'status',
    );
  };
  return { store, registry, deps, endpoints, addPod };
}

describe('syncEndpoints', () => {
  it('writes ready and unready addresses, and rewrites nothing when nothing changed', async () => {
    const { registry, deps, endpoints, addPod } = await setup();
    await registry.create(adminCtx(), SERVICES, 'default', makeService() as KubeObject);
    await addPod('a', '10.0.0.1', true);
    await addPod('b', '10.0.0.2', false);
    await syncEndpoints(deps, 'default/web');
    const first = await endpoints();
    expect(first?.subsets).toEqual([
      {
        addresses: [expect.objectContaining({ ip: '10.0.0.1', targetRef: expect.objectContaining({ name: 'a' }) })],
        notReadyAddresses: [expect.objectContaining({ ip: '10.0.0.2' })],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
    await syncEndpoints(deps, 'default/web');
    await syncEndpoints(deps, 'default/web');
    expect((await endpoints())?.metadata?.resourceVersion).toBe(first?.metadata?.resourceVersion);
  });

  it('reaches the same Endpoints whatever the order of pod changes and repeated syncs', async () => {
    const { registry, deps, endpoints, addPod } = await setup();
    await registry.create(adminCtx(), SERVICES, 'default', makeService() as KubeObject);
    await syncEndpoints(deps, 'default/web');
    await addPod('b', '10.0.0.2', true);
    await syncEndpoints(deps, 'default/web');
    await addPod('a', '10.0.0.1', true);
    await syncEndpoints(deps, 'default/web');
    await syncEndpoints(deps, 'default/web');
    const ips = (await endpoints())?.subsets?.[0]?.addresses?.map((a) => a.ip);
    expect(ips).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('addresses a pod with published ports by its node IP and host port', async () => {
    const { registry, deps, endpoints } = await setup();
    await registry.create(adminCtx(), SERVICES, 'default', makeService() as KubeObject);
    const annotations = { 'skube.io/published-ports': '{"8080/TCP":32771}' };
    await registry.create(adminCtx(), PODS, 'default', makePod({ metadata: { name: 'a', annotations } }) as KubeObject);
    await registry.write(
      adminCtx(),
      PODS,
      'default',
      'a',
      (cur) => ({
        ...cur,
        status: {
          phase: 'Running',
          podIP: '172.17.0.2',
          hostIP: '127.0.0.2',
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      }),
      'status',
    );
    await syncEndpoints(deps, 'default/web');
    expect((await endpoints())?.subsets).toEqual([
      {
        addresses: [expect.objectContaining({ ip: '127.0.0.2', targetRef: expect.objectContaining({ name: 'a' }) })],
        ports: [{ port: 32771, protocol: 'TCP' }],
      },
    ]);
  });

  it('keeps user-written Endpoints of a Service without a selector', async () => {
    const { registry, deps, endpoints } = await setup();
    await registry.create(
      adminCtx(),
      SERVICES,
      'default',
      makeService({ spec: { selector: undefined } }) as KubeObject,
    );
    await registry.create(adminCtx(), ENDPOINTS, 'default', makeEndpoints() as KubeObject);
    await syncEndpoints(deps, 'default/web');
    expect((await endpoints())?.subsets?.[0]?.addresses).toEqual([{ ip: '10.0.0.5' }]);
  });

  it('deletes the Endpoints when the Service goes away', async () => {
    const { registry, deps, endpoints } = await setup();
    await registry.create(adminCtx(), SERVICES, 'default', makeService() as KubeObject);
    await syncEndpoints(deps, 'default/web');
    expect(await endpoints()).toBeDefined();
    await registry.deps.store.delete({ resource: 'services', namespace: 'default', name: 'web' });
    await syncEndpoints(deps, 'default/web');
    await syncEndpoints(deps, 'default/web');
    expect(await endpoints()).toBeUndefined();
  });
});

describe('endpointsControllerSpec', () => {
  it('maps a pod change to the Services that select it before or after', async () => {
    const { deps } = await setup();
    const spec = endpointsControllerSpec(deps);
    const [services, pods] = spec.watches;
    const svc = (name: string, app: string) =>
      ({
        type: 'ADDED',
        object: makeService({ metadata: { name }, spec: { selector: { app } } }),
        revision: 1,
      }) as StoreEvent;
    expect(services?.keys(svc('web', 'web'))).toEqual(['default/web']);
    services?.keys(svc('db', 'db'));
    const moved = {
      type: 'MODIFIED',
      object: makePod({ metadata: { labels: { app: 'db' } } }),
      prevObject: makePod(),
      revision: 2,
    } as StoreEvent;
    expect(pods?.keys(moved).sort()).toEqual(['default/db', 'default/web']);
  });
});
