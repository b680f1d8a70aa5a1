/**
 * The storage contract, in the spirit of Kubernetes' `storage.Interface`.
 * Everything above it (registry, API, controllers) talks to a `Store`; the
 * SQLite backend (embedded, local) and the DynamoDB backend (AWS) implement it
 * and pass the same conformance suite (`test/conformance/store.ts`).
 *
 * Revisions are per resource type ("watch domain"): every successful write of
 * a type gets the next integer revision of that type, which the store writes
 * into `metadata.resourceVersion` as a decimal string. A watcher from revision
 * R sees every later change of that type exactly once, in revision order.
 */
import type { KubeObject } from '../api/object.ts';

/** Identifies one stored object. `resource` is group-qualified (`pods`, `deployments.apps`); `namespace` is '' for cluster-scoped objects. */
export interface StoreKey {
  resource: string;
  namespace: string;
  name: string;
}

/** Conditions a write or delete requires of the current object; unmet → StorageError('Conflict'). */
export interface Preconditions {
  uid?: string;
  resourceVersion?: string;
}

/** Options for `list`. */
export interface ListOptions {
  /** Only this namespace; omitted or '' lists every namespace (or a cluster-scoped type). */
  namespace?: string;
  /** Page size; 0 or omitted means no limit. */
  limit?: number;
  /**
   * Opaque token from a previous page; the page is consistent with the first page's revision.
   * A malformed token throws a 400 BadRequest StatusError, as Kubernetes' storage layer does.
   */
  continue?: string;
  /** Server-side filter applied before the limit counts (label and field selectors). */
  predicate?: (obj: KubeObject) => boolean;
}

/** One page of a list. */
export interface ListResult {
  items: KubeObject[];
  /** The type's revision the page reflects (the list's resourceVersion). */
  revision: number;
  /** Set when more items remain. Expired tokens make `list` throw StorageError('ResourceExpired'). */
  continue?: string;
  /** How many matching items remain after this page, when cheaply known. */
  remainingItemCount?: number;
}

/** The kinds of change a watch reports. */
export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change of one object. */
export interface StoreEvent {
  type: StoreEventType;
  /** The object after the change; for DELETED, its last state (with the deletion's resourceVersion). */
  object: KubeObject;
  /** The object before the change (absent for ADDED). Lets watchers apply selectors to both states. */
  prevObject?: KubeObject;
  /** The revision of this change; equals Number(object.metadata.resourceVersion). */
  revision: number;
}

/** Options for `watch`. */
export interface WatchOptions {
  /** Only changes in this namespace. */
  namespace?: string;
  /** Deliver changes with revision strictly greater than this. Older than the log holds → StorageError('ResourceExpired'). */
  fromRevision: number;
}

/**
 * A live stream of changes. Iterate it with `for await`; `stop()` ends the
 * iteration (pending `next()` resolves done). A backend failure ends the
 * iteration by throwing from `next()`; so does a consumer falling so far
 * behind that the backend no longer holds its position (ResourceExpired):
 * buffering is bounded, and the client relists.
 */
export interface StoreWatch extends AsyncIterable<StoreEvent> {
  stop(): void;
}

/** The function `guaranteedUpdate` calls with the current object; returns the desired object, or throws to abort. */
export type TryUpdate = (current: KubeObject) => KubeObject | Promise<KubeObject>;

/** The storage interface every backend implements. */
export interface Store {
  /** Reads one object. Throws StorageError('KeyNotFound'). */
  get(key: StoreKey): Promise<KubeObject>;

  /** Lists a type (one namespace or all), paginated, filtered by `predicate` before `limit` applies. */
  list(resource: string, options?: ListOptions): Promise<ListResult>;

  /**
   * Creates an object; `metadata.resourceVersion` must be unset (else StorageError('InvalidObject')).
   * Throws StorageError('KeyExists'). Returns the stored object.
   */
  create(key: StoreKey, obj: KubeObject): Promise<KubeObject>;

  /**
   * Replaces an object if the preconditions hold (a precondition resourceVersion
   * is compared with the stored one; `obj`'s own resourceVersion is ignored).
   * Throws KeyNotFound or Conflict. When `obj` equals the stored object
   * (ignoring resourceVersion) nothing is written: no new revision, no watch
   * event, and the stored object is returned.
   */
  update(key: StoreKey, obj: KubeObject, preconditions?: Preconditions): Promise<KubeObject>;

  /** Deletes an object if the preconditions hold; returns its last state stamped with the deletion's revision. */
  delete(key: StoreKey, preconditions?: Preconditions): Promise<KubeObject>;

  /**
   * Read-modify-write that retries on conflict: calls `tryUpdate` with the
   * current object until the conditional write succeeds. Throws KeyNotFound,
   * a Conflict when `preconditions` fail, or whatever `tryUpdate` throws.
   */
  guaranteedUpdate(key: StoreKey, tryUpdate: TryUpdate, preconditions?: Preconditions): Promise<KubeObject>;

  /**
   * Starts a watch on one type. Throws StorageError('ResourceExpired') when `fromRevision` is compacted;
   * a `fromRevision` beyond the current revision is allowed (the watch waits for later changes).
   * Event objects may be shared between watchers: treat them as immutable.
   */
  watch(resource: string, options: WatchOptions): Promise<StoreWatch>;

  /** The latest revision of a type (0 when it never had a write). */
  currentRevision(resource: string): Promise<number>;

  /**
   * Drops log entries at or below `revision` (clamped to the current revision) for a type;
   * later watches and continues from before it expire. Idempotent; never un-compacts.
   */
  compact(resource: string, revision: number): Promise<void>;

  /** Releases resources; stops every watch (their iterations end as done). Later calls throw StorageError('Unreachable'). Idempotent. */
  close(): Promise<void>;
}
