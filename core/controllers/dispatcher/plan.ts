/**
 * The dispatcher's plan: which node agents a store change concerns, and the
 * doorbell each of them gets. In AWS the agents do not hold watches open;
 * the dispatcher turns stream records into small wake-up messages on each
 * node's queue, and a woken agent re-reads what it needs through the API.
 *
 * The doorbell names the object and the revision that rang it, never its
 * content: the object may be large, may contain secrets, and may be stale by
 * the time the agent looks. Planning is level-agnostic on purpose: every
 * change of a relevant object rings, and the agent decides what changed.
 */
import type { StoreEvent } from '../../storage/store.ts';

/** A wake-up message body: which object changed, at which revision of its type. Small JSON, never the object itself. */
export interface Doorbell {
  /** Storage resource (`pods`, `services`, `endpoints`). */
  resource: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
  /** The change's revision (the object's resourceVersion as a number). */
  revision: number;
}

/** What to send for one store change: the doorbell and the nodes that must hear it. */
export interface WakeupPlan {
  /** Node names, sorted and without duplicates; empty when nobody needs waking. */
  nodes: string[];
  doorbell: Doorbell;
}

/** Resources every node's proxy follows: a change rings every known node. */
export const BROADCAST_RESOURCES: readonly string[] = ['services', 'endpoints'];

/** Resources whose objects are bound to one node (`spec.nodeName`): a change rings that node. */
export const NODE_BOUND_RESOURCES: readonly string[] = ['pods'];

/**
 * Plans the wake-ups for one change of `resource`. A pod rings the node it is
 * bound to, both before and after the change (a pod that left node A for B
 * rings both, so A stops it and B starts it; a deleted pod rings its node so
 * the agent stops it); an unbound pod rings nobody (the scheduler handles it).
 * A Service or Endpoints change rings every node in `knownNodes`. Any other
 * resource rings nobody. Pure; never throws.
 */
export function planWakeups(resource: string, event: StoreEvent, knownNodes: readonly string[]): WakeupPlan {
  const doorbell: Doorbell = {
    resource,
    namespace: event.object.metadata.namespace ?? '',
    name: event.object.metadata.name ?? '',
    revision: event.revision,
  };
  let nodes: string[] = [];
  if (NODE_BOUND_RESOURCES.includes(resource)) {
    nodes = [boundNode(event.prevObject), boundNode(event.object)].filter((n): n is string => !!n);
  } else if (BROADCAST_RESOURCES.includes(resource)) {
    nodes = [...knownNodes];
  }
  return { nodes: [...new Set(nodes)].sort(), doorbell };
}

function boundNode(obj: StoreEvent['object'] | undefined): string | undefined {
  const spec = obj?.spec as { nodeName?: unknown } | undefined;
  return typeof spec?.nodeName === 'string' && spec.nodeName !== '' ? spec.nodeName : undefined;
}

/**
 * Checks that a value read off a queue is a well-formed doorbell (the queue is
 * a trust boundary for shape, not for authority: the agent re-reads through
 * the API anyway). Returns the doorbell, or undefined when malformed.
 */
export function parseDoorbell(value: unknown): Doorbell | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.resource !== 'string' || v.resource === '') return undefined;
  if (typeof v.namespace !== 'string' || typeof v.name !== 'string' || v.name === '') return undefined;
  if (typeof v.revision !== 'number' || !Number.isSafeInteger(v.revision) || v.revision < 0) return undefined;
  return { resource: v.resource, namespace: v.namespace, name: v.name, revision: v.revision };
}
