/**
 * The generic create/update/delete pipeline every resource goes through,
 * with per-kind strategies filling in the differences. Order of a create:
 * type checks → generateName → defaults → system metadata → kind hook →
 * validation → size ceiling → allocations → conditional store write.
 * A rejected request changes nothing.
 */
import { addDefaultTolerationSeconds, applyDefaults } from '../api/defaulting/index.ts';
import { clone, type KubeObject } from '../api/object.ts';
import { groupVersion, type ResourceInfo, storageResource } from '../api/resources.ts';
import { validateObject, validateObjectUpdate } from '../api/validation/index.ts';
import {
  alreadyExists,
  badRequest,
  conflict,
  type FieldError,
  forbidden,
  invalid,
  notFound,
  StatusError,
} from '../errors/index.ts';
import { isStorageError } from '../storage/errors.ts';
import type { Preconditions, Store, StoreKey } from '../storage/store.ts';
import { fillCreateMeta, generateName, jsonEqual, keepSystemMeta, specOf } from './object-meta.ts';
import { toStatusError } from './storage-errors.ts';
import { strategyFor } from './strategies/index.ts';
import type { RequestContext, ResourceStrategy, StrategyDeps } from './strategy.ts';

/** Objects whose stored JSON exceeds this are refused with 422 (the DynamoDB item ceiling needs headroom). */
export const MAX_OBJECT_BYTES = 350 * 1024;

const isPods = (info: ResourceInfo) => info.group === '' && info.resource === 'pods';

/** What the registry needs from its surroundings. */
export interface RegistryDeps extends StrategyDeps {
  store: Store;
  uid: () => string;
  /** `tolerationSeconds` of the not-ready/unreachable tolerations pods get by default (DefaultTolerationSeconds admission; 300). */
  defaultTolerationSeconds?: number;
}

/** Which part of the object a write addresses. */
export type WriteTarget = '' | 'status' | 'finalize';

/** The generic store-backed registry for every served resource. */
export class Registry {
  constructor(readonly deps: RegistryDeps) {}

  /** The storage key of an object of `info`. */
  key(info: ResourceInfo, namespace: string, name: string): StoreKey {
    return { resource: storageResource(info), namespace: info.namespaced ? namespace : '', name };
  }

  /** Reads one object. Throws 404 NotFound. */
  async get(info: ResourceInfo, namespace: string, name: string): Promise<KubeObject> {
    try {
      return withTypeMeta(info, await this.deps.store.get(this.key(info, namespace, name)));
    } catch (e) {
      throw toStatusError(e, info, name);
    }
  }

  /** Creates an object from a decoded request body. Returns the stored object (or the would-be object on dry run). */
  async create(ctx: RequestContext, info: ResourceInfo, namespace: string, body: KubeObject): Promise<KubeObject> {
    const strategy = strategyFor(info);
    let obj = checkTypeMeta(info, clone(body));
    obj.metadata ??= {};
    if (info.namespaced) {
      const ns = obj.metadata.namespace;
      if (ns && ns !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace;
    } else {
      delete obj.metadata.namespace;
    }
    if (obj.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = generateName(obj.metadata.generateName, this.deps.random);
    }
    obj = applyDefaults(info, obj);
    if (isPods(info)) addDefaultTolerationSeconds(obj, this.deps.defaultTolerationSeconds);
    fillCreateMeta(obj, { uid: this.deps.uid(), now: ctx.now, usesGeneration: strategy.usesGeneration });
    if (strategy.statusSubresource) delete obj.status;
    strategy.prepareForCreate?.(obj, ctx);
    this.validate(info, obj, validateObject(info, obj));
    this.checkSize(info, obj);
    if (info.namespaced) await this.checkNamespace(info, namespace, obj.metadata.name ?? '');
    const name = obj.metadata.name ?? '';
    if (strategy.beforeCreate) {
      // Answer AlreadyExists before taking allocations a duplicate would only have to give back.
      const exists = await this.deps.store.get(this.key(info, namespace, name)).then(
        () => true,
        () => false,
      );
      if (exists) throw alreadyExists({ group: info.group, resource: info.resource }, name);
      await strategy.beforeCreate(obj, this.deps, ctx);
    }
    if (ctx.dryRun) {
      await strategy.release?.(obj, this.deps);
      return withTypeMeta(info, obj);
    }
    try {
      return withTypeMeta(info, await this.deps.store.create(this.key(info, namespace, name), obj));
    } catch (e) {
      await strategy.release?.(obj, this.deps);
      throw toStatusError(e, info, name);
    }
  }

  /**
   * Replaces an object (PUT) or its status. A body resourceVersion is a
   * precondition (409 on mismatch); without one the update is unconditional.
   */
  async update(
    ctx: RequestContext,
    info: ResourceInfo,
    namespace: string,
    name: string,
    body: KubeObject,
    target: WriteTarget = '',
  ): Promise<KubeObject> {
    const desired = checkTypeMeta(info, clone(body));
    desired.metadata ??= {};
    if (desired.metadata.name && desired.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    if (info.namespaced && desired.metadata.namespace && desired.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const preconditions: Preconditions = {};
    if (desired.metadata.resourceVersion) preconditions.resourceVersion = desired.metadata.resourceVersion;
    return this.write(ctx, info, namespace, name, () => desired, target, preconditions);
  }

  /**
   * Read-modify-write of one object: `mutate` turns the current object into
   * the desired one (a patch, a scale). Retries on conflicts unless the caller
   * pinned a resourceVersion precondition.
   */
  async write(
    ctx: RequestContext,
    info: ResourceInfo,
    namespace: string,
    name: string,
    mutate: (current: KubeObject) => KubeObject,
    target: WriteTarget,
    preconditions: Preconditions = {},
  ): Promise<KubeObject> {
    const strategy = strategyFor(info);
    const key = this.key(info, namespace, name);
    for (let attempt = 0; ; attempt++) {
      let current: KubeObject;
      try {
        current = withTypeMeta(info, await this.deps.store.get(key));
      } catch (e) {
        throw toStatusError(e, info, name);
      }
      if (preconditions.resourceVersion && preconditions.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict({ group: info.group, resource: info.resource }, name);
      }
      const next = this.prepareUpdate(ctx, info, strategy, mutate(clone(current)), current, target);
      if (jsonEqual(stripVersion(next), stripVersion(current))) return current;
      await strategy.beforeUpdate?.(next, current, this.deps, ctx);
      const finalizing =
        next.metadata.deletionTimestamp && !(next.metadata.finalizers ?? []).length && !strategy.blocksDeletion?.(next);
      if (ctx.dryRun) return withTypeMeta(info, next);
      try {
        const cond = { resourceVersion: current.metadata.resourceVersion };
        if (finalizing) {
          const gone = await this.deps.store.delete(key, cond);
          await strategy.release?.(gone, this.deps);
          return withTypeMeta(info, gone);
        }
        const stored = await this.deps.store.update(key, next, cond);
        await strategy.release?.(current, this.deps, stored);
        return withTypeMeta(info, stored);
      } catch (e) {
        if (isStorageError(e, 'Conflict') && !preconditions.resourceVersion && attempt < 20) continue;
        throw toStatusError(e, info, name);
      }
    }
  }

  /**
   * A system write with no defaulting, strategy or update validation — only
   * the conditional store write, retried on conflict (pod binding uses it,
   * as Kubernetes' binding REST does). `mutate` may throw StatusErrors.
   */
  async systemUpdate(
    ctx: RequestContext,
    info: ResourceInfo,
    namespace: string,
    name: string,
    mutate: (current: KubeObject) => KubeObject,
  ): Promise<KubeObject> {
    const key = this.key(info, namespace, name);
    try {
      if (ctx.dryRun) return withTypeMeta(info, mutate(clone(await this.deps.store.get(key))));
      return withTypeMeta(info, await this.deps.store.guaranteedUpdate(key, (cur) => mutate(clone(cur))));
    } catch (e) {
      throw toStatusError(e, info, name);
    }
  }

  private prepareUpdate(
    ctx: RequestContext,
    info: ResourceInfo,
    strategy: ResourceStrategy,
    desired: KubeObject,
    current: KubeObject,
    target: WriteTarget,
  ): KubeObject {
    let next: KubeObject;
    if (target === 'status') {
      next = { ...clone(current), status: desired.status };
      strategy.prepareForStatusUpdate?.(next, current, ctx, desired);
    } else if (target === 'finalize') {
      // namespaces/finalize changes spec.finalizers and nothing else.
      const finalizers = (desired.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
      next = { ...clone(current), spec: { ...(current.spec as object), finalizers } };
    } else {
      next = applyDefaults(info, { ...desired, metadata: { ...desired.metadata } });
      if (isPods(info)) addDefaultTolerationSeconds(next, this.deps.defaultTolerationSeconds);
      next.metadata.name = current.metadata.name;
      if (info.namespaced) next.metadata.namespace = current.metadata.namespace;
      keepSystemMeta(next, current);
      if (strategy.statusSubresource) {
        if (current.status === undefined) delete next.status;
        else next.status = clone(current.status);
      }
      if (strategy.usesGeneration && !jsonEqual(specOf(next), specOf(current))) {
        next.metadata.generation = (current.metadata.generation ?? 0) + 1;
      }
      strategy.prepareForUpdate?.(next, current, ctx);
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    this.validate(info, next, validateObjectUpdate(info, next, current));
    this.checkSize(info, next);
    return next;
  }

  private validate(info: ResourceInfo, obj: KubeObject, errors: FieldError[]): void {
    if (errors.length) throw invalid({ group: info.group, kind: info.kind }, obj.metadata.name ?? '', errors);
  }

  private checkSize(info: ResourceInfo, obj: KubeObject): void {
    const size = Buffer.byteLength(JSON.stringify(obj));
    if (size > MAX_OBJECT_BYTES) {
      this.validate(info, obj, [
        {
          type: 'FieldValueTooLong',
          field: '[object]',
          detail: `the object is ${size} bytes when stored; skube stores at most ${MAX_OBJECT_BYTES} bytes (350 KiB) per object`,
        },
      ]);
    }
  }

  private async checkNamespace(info: ResourceInfo, namespace: string, name: string): Promise<void> {
    let ns: KubeObject;
    try {
      ns = await this.deps.store.get({ resource: 'namespaces', namespace: '', name: namespace });
    } catch (e) {
      if (isStorageError(e, 'KeyNotFound')) throw notFound({ group: '', resource: 'namespaces' }, namespace);
      throw toStatusError(e, info, name);
    }
    if (ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw forbidden(
        { group: info.group, resource: info.resource },
        name,
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }
}

/** Sets `apiVersion` and `kind` of `info` on a stored object (stored objects may omit them). */
export function withTypeMeta(info: ResourceInfo, obj: KubeObject): KubeObject {
  if (obj.apiVersion === groupVersion(info) && obj.kind === info.kind) return obj;
  return { apiVersion: groupVersion(info), kind: info.kind, ...obj };
}

function stripVersion(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } };
}

/** Rejects a body whose apiVersion/kind name another type; fills them in when absent. */
function checkTypeMeta(info: ResourceInfo, obj: KubeObject): KubeObject {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('the request body must be a JSON object');
  const gv = groupVersion(info);
  if (obj.apiVersion && obj.apiVersion !== gv) {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${gv})`);
  }
  if (obj.kind && obj.kind !== info.kind) {
    throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${info.kind})`);
  }
  obj.apiVersion = gv;
  obj.kind = info.kind;
  return obj;
}

export { StatusError };
