/**
 * Kubernetes' controller expectations, by pod name: after creating or
 * deleting pods for an owner, the controller does not act for that owner
 * again until it has seen those changes (through the pod watch or in a
 * fresh listing) or a TTL passes, so a burst of doorbells over a lagging
 * view never creates or deletes more pods than asked. In-process memory: a
 * restarted process starts with none, which is safe because its first view
 * is a fresh listing.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';

/** How long an unobserved expectation blocks its owner (Kubernetes' ExpectationsTimeout). */
export const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Pending {
  creates: Set<string>;
  deletes: Set<string>;
  at: number;
}

/** Expected pod creates and deletes per owner key. */
export class ReplicaExpectations {
  readonly #byOwner = new Map<string, Pending>();

  constructor(private readonly ttlMs = EXPECTATIONS_TTL_MS) {}

  #entry(key: string, nowMs: number): Pending {
    let e = this.#byOwner.get(key);
    if (!e) {
      e = { creates: new Set(), deletes: new Set(), at: nowMs };
      this.#byOwner.set(key, e);
    }
    e.at = nowMs;
    return e;
  }

  /** Records that pod `name` was created for `key` and is not yet seen. */
  expectCreate(key: string, name: string, nowMs: number): void {
    this.#entry(key, nowMs).creates.add(name);
  }

  /** Records that pod `name` was deleted for `key` and is not yet seen gone. */
  expectDelete(key: string, name: string, nowMs: number): void {
    this.#entry(key, nowMs).deletes.add(name);
  }

  /** The watch showed pod `name` of `key` existing. */
  observeCreate(key: string, name: string): void {
    this.#byOwner.get(key)?.creates.delete(name);
  }

  /** The watch showed pod `name` of `key` gone or terminating. */
  observeDelete(key: string, name: string): void {
    this.#byOwner.get(key)?.deletes.delete(name);
  }

  /** Observes a listing of the owner's namespace: listed pods exist; absent or terminating ones are gone. */
  observeListing(key: string, pods: readonly Pod[]): void {
    const e = this.#byOwner.get(key);
    if (!e) return;
    const live = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
    for (const name of e.creates) if (live.has(name)) e.creates.delete(name);
    for (const name of e.deletes)
      if (!live.get(name) || live.get(name)?.metadata?.deletionTimestamp) e.deletes.delete(name);
  }

  /** Whether the controller may act for `key`: nothing pending, or the pending entry expired. */
  satisfied(key: string, nowMs: number): boolean {
    const e = this.#byOwner.get(key);
    if (!e) return true;
    if ((e.creates.size === 0 && e.deletes.size === 0) || nowMs - e.at >= this.ttlMs) {
      this.#byOwner.delete(key);
      return true;
    }
    return false;
  }

  /** Forgets an owner (it was deleted). */
  forget(key: string): void {
    this.#byOwner.delete(key);
  }
}
