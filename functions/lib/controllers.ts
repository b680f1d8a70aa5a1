/**
 * The controllers the AWS functions run, by name, and the work keys that
 * carry them through the one SQS work queue. A work key is
 * `<controller>:<object key>` (`namespace:team-a`): controller names hold no
 * colon, so the first one separates them, and the same object queued for two
 * controllers stays two keys.
 *
 * Each entry is a core `ControllerSpec`, the same shape the local runner
 * starts in process: `watches` maps a store change to object keys (the
 * stream consumer), `sync` reconciles one key (the queue consumer), and
 * `initialKeys` lists everything the controller owns (the scheduled resync).
 */
import type { Logger } from '../../core/apiserver/types.ts';
import { daemonSetControllerSpec } from '../../core/controllers/daemonset/sync.ts';
import { deploymentControllerSpec } from '../../core/controllers/deployment/sync.ts';
import { endpointsControllerSpec } from '../../core/controllers/endpoints/sync.ts';
import { scanDependents } from '../../core/controllers/garbagecollector/graph.ts';
import { garbageCollectorSpec } from '../../core/controllers/garbagecollector/spec.ts';
import { namespaceControllerSpec } from '../../core/controllers/namespace/sync.ts';
import { nodeLifecycleControllerSpec } from '../../core/controllers/nodelifecycle/sync.ts';
import { REPLICA_SET_KIND, REPLICATION_CONTROLLER_KIND } from '../../core/controllers/replicaset/kinds.ts';
import { replicaControllerSpec } from '../../core/controllers/replicaset/sync.ts';
import type { ControllerSpec, SyncResult } from '../../core/controllers/runtime/controller.ts';
import type { Registry } from '../../core/registry/registry.ts';
import type { Store, StoreEvent } from '../../core/storage/store.ts';
import { runLimited } from './sqs-queues.ts';

/** What a controller is built from. */
export interface ControllerDeps {
  store: Store;
  registry: Registry;
  logger: Logger;
  now: () => Date;
}

/** Builds one controller's spec. */
export type ControllerFactory = (deps: ControllerDeps) => ControllerSpec;

/** The registered controllers, by name. */
export type Controllers = ReadonlyMap<string, ControllerSpec>;

/** The namespace controller, from core. */
const namespaceController: ControllerFactory = (deps) => namespaceControllerSpec(deps);

/** Every controller the functions run, by name. Add a controller here and every function serves it. */
export const CONTROLLER_FACTORIES: Readonly<Record<string, ControllerFactory>> = {
  namespace: namespaceController,
  replicaset: (deps) => replicaControllerSpec(REPLICA_SET_KIND, deps),
  replicationcontroller: (deps) => replicaControllerSpec(REPLICATION_CONTROLLER_KIND, deps),
  endpoints: (deps) => endpointsControllerSpec(deps),
  deployment: (deps) => deploymentControllerSpec(deps),
  daemonset: (deps) => daemonSetControllerSpec(deps),
  nodelifecycle: (deps) => nodeLifecycleControllerSpec(deps),
  // Stream consumer and queue consumer are separate processes here, so dependents are found by listing the store.
  garbagecollector: (deps) => garbageCollectorSpec({ ...deps, finder: scanDependents(deps.store) }),
};

/** Builds the controllers of `factories` over `deps`. Throws when a factory's spec is named differently from its entry. */
export function createControllers(
  deps: ControllerDeps,
  factories: Readonly<Record<string, ControllerFactory>> = CONTROLLER_FACTORIES,
): Controllers {
  const out = new Map<string, ControllerSpec>();
  for (const [name, make] of Object.entries(factories)) {
    const spec = make(deps);
    if (spec.name !== name || name.includes(':')) throw new Error(`controller "${spec.name}" registered as "${name}"`);
    out.set(name, spec);
  }
  return out;
}

/** The work key of `key` for `controller`. */
export function workKey(controller: string, key: string): string {
  return `${controller}:${key}`;
}

/** Splits a work key; undefined when it has no controller part or no key. */
export function parseWorkKey(work: string): { controller: string; key: string } | undefined {
  const at = work.indexOf(':');
  if (at <= 0 || at === work.length - 1) return undefined;
  return { controller: work.slice(0, at), key: work.slice(at + 1) };
}

/**
 * Reconciles one work key with the controller it names. Throws (so the
 * message is retried, then dead-lettered) for a malformed key or an unknown
 * controller, and whatever the sync throws.
 */
export async function syncWorkKey(controllers: Controllers, work: string): Promise<SyncResult | undefined> {
  const parsed = parseWorkKey(work);
  if (!parsed) throw new Error(`malformed work key "${work}"`);
  const spec = controllers.get(parsed.controller);
  if (!spec) throw new Error(`no controller "${parsed.controller}" for work key "${work}"`);
  return spec.sync(parsed.key);
}

/** The work keys a change of `resource` concerns, across every controller watching it; no duplicates. */
export function workKeysFor(controllers: Controllers, resource: string, event: StoreEvent): string[] {
  const keys = new Set<string>();
  for (const spec of controllers.values()) {
    for (const w of spec.watches) {
      if (w.resource !== resource) continue;
      for (const key of w.keys(event)) if (key) keys.add(workKey(spec.name, key));
    }
  }
  return [...keys];
}

/** The work keys of everything every controller owns (a full resync); no duplicates. */
export async function allWorkKeys(controllers: Controllers): Promise<string[]> {
  const keys = new Set<string>();
  for (const spec of controllers.values()) {
    for (const key of await spec.initialKeys()) if (key) keys.add(workKey(spec.name, key));
  }
  return [...keys];
}

/**
 * Queues every key every controller owns (the level-triggered safety net
 * behind the stream). Returns how many keys there were and how many were
 * sent (the rest were already pending). Throws the first queueing failure.
 */
export async function resyncAll(
  controllers: Controllers,
  enqueue: (workKey: string) => Promise<boolean>,
  concurrency = 10,
): Promise<{ keys: number; queued: number }> {
  const keys = await allWorkKeys(controllers);
  let queued = 0;
  await runLimited(keys, concurrency, async (key) => {
    if (await enqueue(key)) queued++;
  });
  return { keys: keys.length, queued };
}
