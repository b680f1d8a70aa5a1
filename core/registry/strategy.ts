/**
 * Per-resource strategies: small objects that say how one kind differs from
 * the generic create/update/delete pipeline (Kubernetes' `RESTCreateStrategy`
 * and friends). The pipeline in `registry.ts` fixes the order once.
 */
import type { KubeObject } from '../api/object.ts';
import type { Store } from '../storage/store.ts';

/** Who is asking, as the authenticator established. */
export interface UserInfo {
  name: string;
  groups: string[];
}

/** What every registry call knows about its request. */
export interface RequestContext {
  user: UserInfo;
  now: Date;
  dryRun: boolean;
}

/** Dependencies a strategy hook may use (allocations need the store). */
export interface StrategyDeps {
  store: Store;
  serviceCidr: string;
  nodePortRange: { min: number; max: number };
  random: () => number;
}

/** How a kind deviates from the generic pipeline. Every hook is optional; objects passed in are already copies the hook may change. */
export interface ResourceStrategy {
  /** Writes to the main resource keep the stored `status` (the kind has a status subresource). */
  statusSubresource: boolean;
  /** `metadata.generation` starts at 1 and is bumped on every spec change. */
  usesGeneration: boolean;
  /** DELETE answers with the object itself rather than a Success Status. */
  returnDeletedObject?: boolean;
  /** Kind-specific fields at create, after defaulting (pod phase Pending, namespace phase Active). */
  prepareForCreate?(obj: KubeObject, ctx: RequestContext): void;
  /** Kind-specific fields on update of the main resource. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): void;
  /** Kind-specific fields on a status update (only status may change, plus what the kind allows, read from `desired`: the request body). */
  prepareForStatusUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext, desired: KubeObject): void;
  /** Allocations and other I/O before the object is stored (ClusterIP, NodePort). May throw StatusErrors. */
  beforeCreate?(obj: KubeObject, deps: StrategyDeps, ctx: RequestContext): Promise<void>;
  /** Allocations on update. */
  beforeUpdate?(obj: KubeObject, old: KubeObject, deps: StrategyDeps, ctx: RequestContext): Promise<void>;
  /** Releases what beforeCreate/beforeUpdate took, for objects that were not stored or have been deleted. */
  release?(obj: KubeObject, deps: StrategyDeps, keep?: KubeObject): Promise<void>;
  /** True while something other than `metadata.finalizers` holds a deleted object (namespace spec finalizers). */
  blocksDeletion?(obj: KubeObject): boolean;
  /** Changes made to an object when a DELETE only marks it (namespace phase Terminating). */
  prepareForDelete?(obj: KubeObject): void;
  /** Grace period in seconds a DELETE gives this object, or undefined to delete at once. */
  gracePeriod?(obj: KubeObject, requested: number | undefined): number | undefined;
}

/** The strategy of kinds with no special rules. */
export const DEFAULT_STRATEGY: ResourceStrategy = { statusSubresource: false, usesGeneration: false };
