/**
 * Per-node allocation records: what bindings have promised each node, kept in
 * the store next to the objects (one record per node, storage resource
 * {@link NODE_ALLOCATIONS}) so that binders in different processes — two
 * scheduler Lambda invocations on different stream shards — cannot together
 * overcommit a node. A binding first reserves the pod's requests in the
 * node's record with a conditional write (the record's resourceVersion), and
 * only then writes `spec.nodeName`; of two reservations racing for the last
 * room on a node, the second re-reads the record, no longer fits and is
 * refused.
 *
 * The record holds one entry per pod UID. Entries are never removed when a
 * pod leaves (nothing on that path knows about records); instead, when a
 * reservation does not fit, the entries are checked against their pods and
 * those that no longer hold room are dropped: the pod is gone, recreated
 * (another UID), bound elsewhere, finished, or still unbound after
 * {@link RESERVATION_GRACE_MS} (a binder that died between its reservation
 * and its pod write). So a record only ever over-counts, and only until room
 * is next needed.
 *
 * Not covered: pods created with `spec.nodeName` already set never pass
 * through a binding, so they are not in any record (as in Kubernetes, the
 * kubelet's admission is the last word on those).
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { conflict } from '../errors/index.ts';
import type { HostPort, Resources } from '../scheduler/framework.ts';
import { nodeAllocatable } from '../scheduler/node-info.ts';
import { emptyResources, podHostPorts, podRequests } from '../scheduler/pod-resources.ts';
import { isStorageError } from '../storage/errors.ts';
import type { Store, StoreKey } from '../storage/store.ts';

/** The storage resource of allocation records (internal: not served by the API). */
export const NODE_ALLOCATIONS = 'nodeallocations.internal.skube.io';

/** How long a reservation whose pod is still unbound is trusted to be a binding in flight. */
export const RESERVATION_GRACE_MS = 120_000;

/** One pod's share of a node, as a record keeps it (short keys: the record is rewritten per binding). */
export interface AllocationEntry {
  /** `namespace/name` of the pod, to check the entry against it. */
  pod: string;
  cpu: number;
  mem: number;
  eph: number;
  /** Extended resources by name. */
  x?: Record<string, number>;
  /** Host ports as `hostIP/PROTOCOL/port`. */
  ports?: string[];
  /** When the reservation was made, ms since the epoch. */
  at: number;
}

/** The stored shape of a record. */
export interface NodeAllocation extends KubeObject {
  spec: { pods: Record<string, AllocationEntry> };
}

const PODS_GR = { group: '', resource: 'pods' };
const WILDCARD = '0.0.0.0';

/** The store key of `nodeName`'s record. */
export function allocationKey(nodeName: string): StoreKey {
  return { resource: NODE_ALLOCATIONS, namespace: '', name: nodeName };
}

/** The entry a binding of `pod` reserves, made at `now`. */
export function allocationEntry(pod: Pod, now: Date): AllocationEntry {
  const r = podRequests(pod);
  const entry: AllocationEntry = {
    pod: `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`,
    cpu: r.milliCPU,
    mem: r.memory,
    eph: r.ephemeralStorage,
    at: now.getTime(),
  };
  if (r.scalar.size > 0) entry.x = Object.fromEntries(r.scalar);
  const ports = podHostPorts(pod);
  if (ports.length > 0) entry.ports = portEntries(ports);
  return entry;
}

/**
 * Why `entry` does not fit on a node with `allocatable` next to `others`:
 * Kubernetes' reasons (`Too many pods`, `Insufficient cpu`, a host port
 * conflict), empty when it fits.
 */
export function misfitReasons(
  entry: AllocationEntry,
  others: Iterable<AllocationEntry>,
  allocatable: Resources,
): string[] {
  const used = emptyResources();
  const ports = new Set<string>();
  for (const e of others) {
    used.milliCPU += e.cpu;
    used.memory += e.mem;
    used.ephemeralStorage += e.eph;
    used.pods++;
    for (const [name, v] of Object.entries(e.x ?? {})) used.scalar.set(name, (used.scalar.get(name) ?? 0) + v);
    for (const p of e.ports ?? []) ports.add(p);
  }
  const reasons: string[] = [];
  if (used.pods + 1 > allocatable.pods) reasons.push('Too many pods');
  const short = (want: number, have: number, inUse: number) => want > 0 && want > have - inUse;
  if (short(entry.cpu, allocatable.milliCPU, used.milliCPU)) reasons.push('Insufficient cpu');
  if (short(entry.mem, allocatable.memory, used.memory)) reasons.push('Insufficient memory');
  if (short(entry.eph, allocatable.ephemeralStorage, used.ephemeralStorage)) {
    reasons.push('Insufficient ephemeral-storage');
  }
  for (const [name, want] of Object.entries(entry.x ?? {})) {
    if (short(want, allocatable.scalar.get(name) ?? 0, used.scalar.get(name) ?? 0)) {
      reasons.push(`Insufficient ${name}`);
    }
  }
  if ((entry.ports ?? []).some((p) => portTaken(ports, p))) {
    reasons.push("node(s) didn't have free ports for the requested pod ports");
  }
  return reasons;
}

// A wildcard host IP collides with the same port on any IP, and any IP with the wildcard.
function portTaken(used: ReadonlySet<string>, port: string): boolean {
  const [ip, protocol, number] = port.split('/');
  const rest = `/${protocol}/${number}`;
  if (used.has(port) || used.has(`${WILDCARD}${rest}`)) return true;
  if (ip !== WILDCARD) return false;
  for (const p of used) if (p.endsWith(rest)) return true;
  return false;
}

/** Whether the entry still holds room: its pod exists with that UID and is bound here, or is a binding in flight. */
async function stillHolds(store: Store, nodeName: string, uid: string, e: AllocationEntry, now: number) {
  const slash = e.pod.indexOf('/');
  let pod: Pod;
  try {
    pod = (await store.get({
      resource: 'pods',
      namespace: e.pod.slice(0, slash),
      name: e.pod.slice(slash + 1),
    })) as unknown as Pod;
  } catch (err) {
    if (isStorageError(err, 'KeyNotFound')) return false;
    throw err;
  }
  if (pod.metadata?.uid !== uid) return false;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  const bound = pod.spec?.nodeName;
  if (bound) return bound === nodeName;
  return now - e.at < RESERVATION_GRACE_MS;
}

// Per store: the nodes whose record this process has seen exist (a hint only; a miss falls back).
const seenRecords = new WeakMap<Store, Set<string>>();
function recordsSeen(store: Store): Set<string> {
  let known = seenRecords.get(store);
  if (!known) {
    known = new Set();
    seenRecords.set(store, known);
  }
  return known;
}

/** The outcome of {@link reserve}: whether this call added the entry (so a failed binding should release it). */
export interface Reservation {
  readonly added: boolean;
}

/**
 * Reserves `entry` for pod `uid` on `node` in one conditional write of the
 * node's record (created on first use), dropping entries that no longer hold
 * room when it does not fit otherwise. Idempotent: an entry already there is
 * kept (`added: false`). Throws a 409 Conflict StatusError naming the reasons
 * when the pod does not fit; storage errors pass through.
 */
export async function reserve(
  store: Store,
  node: Node,
  uid: string,
  entry: AllocationEntry,
  now: Date,
): Promise<Reservation> {
  const nodeName = node.metadata?.name ?? '';
  const key = allocationKey(nodeName);
  const allocatable = nodeAllocatable(node);
  let added = false;
  const tryUpdate = async (current: KubeObject): Promise<KubeObject> => {
    const record = current as NodeAllocation;
    const pods = record.spec?.pods ?? {};
    added = false;
    if (Object.hasOwn(pods, uid)) return record;
    let reasons = misfitReasons(entry, Object.values(pods), allocatable);
    let kept = pods;
    if (reasons.length > 0) {
      kept = {};
      for (const [other, e] of Object.entries(pods)) {
        if (await stillHolds(store, nodeName, other, e, now.getTime())) kept[other] = e;
      }
      reasons = misfitReasons(entry, Object.values(kept), allocatable);
      if (reasons.length > 0) {
        const [ns, name] = entry.pod.split('/');
        throw conflict(PODS_GR, name ?? ns, `pod does not fit on node "${nodeName}": ${reasons.join(', ')}`);
      }
    }
    added = true;
    return { ...record, spec: { pods: { ...kept, [uid]: entry } } };
  };
  const known = recordsSeen(store);
  for (let first = true; ; first = false) {
    // Records are never deleted: once seen, go straight to the update; a node new to this process more
    // likely has none yet, so try the create first (each miss costs a thrown storage error).
    if (!first || known.has(nodeName)) {
      try {
        await store.guaranteedUpdate(key, tryUpdate);
        known.add(nodeName);
        return { added };
      } catch (err) {
        if (!isStorageError(err, 'KeyNotFound')) throw err;
      }
    }
    try {
      const fresh: NodeAllocation = {
        apiVersion: 'internal.skube.io/v1',
        kind: 'NodeAllocation',
        metadata: { name: nodeName },
        spec: { pods: {} },
      };
      await store.create(key, await tryUpdate(fresh));
      known.add(nodeName);
      return { added };
    } catch (err) {
      // The record exists (another binder created it): go through the conditional update.
      if (!isStorageError(err, 'KeyExists')) throw err;
      known.add(nodeName);
    }
  }
}

/**
 * Drops pod `uid`'s entry from `nodeName`'s record after its binding was
 * refused, unless the pod (`pod`, namespace and name) is bound to that node
 * by now: then another binder, which found the entry and relied on it, won
 * the race for the same pod. Idempotent; a missing record is fine.
 */
export async function release(
  store: Store,
  nodeName: string,
  uid: string,
  pod: { namespace: string; name: string },
): Promise<void> {
  try {
    const current = (await store.get({ resource: 'pods', ...pod })) as unknown as Pod;
    if (current.metadata?.uid === uid && current.spec?.nodeName === nodeName) return;
  } catch (err) {
    if (!isStorageError(err, 'KeyNotFound')) throw err;
  }
  try {
    await store.guaranteedUpdate(allocationKey(nodeName), (current) => {
      const record = current as NodeAllocation;
      if (!Object.hasOwn(record.spec?.pods ?? {}, uid)) return record;
      const pods = { ...record.spec.pods };
      delete pods[uid];
      return { ...record, spec: { pods } };
    });
  } catch (err) {
    if (!isStorageError(err, 'KeyNotFound')) throw err;
  }
}

/** Host ports in the record's `hostIP/PROTOCOL/port` form. */
export function portEntries(ports: readonly HostPort[]): string[] {
  return ports.map((p) => `${p.hostIP}/${p.protocol}/${p.port}`);
}
