/**
 * Resource requests: the verbs on collections, objects and the status
 * subresource, turning decoded requests into registry calls and registry
 * results into responses (JSON objects, Tables, Status).
 */
import type { KubeObject } from '../api/object.ts';
import { findResource, groupVersion, type ResourceInfo } from '../api/resources.ts';
import { findUnknownFields, unknownFieldsError } from '../api/validation/unknown-fields.ts';
import { badRequest, methodNotAllowed, pathNotFound } from '../errors/index.ts';
import { type DeleteOptions, deleteObject } from '../registry/delete.ts';
import type { Registry } from '../registry/registry.ts';
import { strategyFor } from '../registry/strategies/index.ts';
import type { RequestContext } from '../registry/strategy.ts';
import type { PodConnector } from './connect.ts';
import { listObjects } from './list.ts';
import {
  decodeObjectBody,
  decodeOptionalJson,
  decodePatch,
  includeObject,
  patchTypeOf,
  wantsTable,
} from './negotiation.ts';
import { applyPatch } from './patch.ts';
import type { ResourceRequestInfo } from './request-info.ts';
import { json, successStatus } from './responses.ts';
import { handleSubresource } from './subresources.ts';
import { toTable } from './tables/index.ts';
import type { ApiRequest, ApiResponse } from './types.ts';
import { watchObjects } from './watch.ts';

/** What resource handlers need. */
export interface ResourceHandlerDeps {
  registry: Registry;
  garbageCollector: boolean;
  now: () => Date;
  /** Serves pods/log and pods/exec; without it they answer 503. */
  podConnector?: PodConnector;
}

const COLLECTION_VERBS = new Set(['list', 'watch', 'create', 'deletecollection']);
const OBJECT_VERBS = new Set(['get', 'watch', 'update', 'patch', 'delete']);

/** 405 for a verb the URL's shape (collection or object) or the resource does not support. */
function checkVerb(info: ResourceInfo, ri: ResourceRequestInfo): void {
  if (ri.subresource) return;
  const allowed = ri.name ? OBJECT_VERBS : COLLECTION_VERBS;
  if (!allowed.has(ri.verb) || !info.verbs.includes(ri.verb)) throw methodNotAllowed();
}

/** Which fieldValidation the request asked for (kubectl sends Strict). */
function fieldValidation(query: URLSearchParams): 'Strict' | 'Warn' | 'Ignore' {
  const v = query.get('fieldValidation');
  if (v === 'Strict' || v === 'Ignore') return v;
  return 'Warn';
}

/** Checks a decoded body for unknown fields per fieldValidation; returns Warning headers for Warn. */
export function checkUnknownFields(info: ResourceInfo, obj: unknown, query: URLSearchParams): Record<string, string> {
  const mode = fieldValidation(query);
  if (mode === 'Ignore') return {};
  const unknown = findUnknownFields(info, obj);
  if (!unknown.length) return {};
  if (mode === 'Strict') throw unknownFieldsError(info, unknown);
  return { warning: unknown.map((p) => `299 - "unknown field \\"${p}\\""`).join(', ') };
}

function dryRun(query: URLSearchParams): boolean {
  const v = query.getAll('dryRun');
  if (v.some((x) => x !== 'All')) throw badRequest(`unsupported dry run value: ${v.join(',')}`);
  return v.length > 0;
}

/** Reads DeleteOptions from the body, or from the query when there is no body (as Kubernetes does). */
export function deleteOptions(req: ApiRequest): DeleteOptions {
  if (req.body && req.body.length > 0) {
    const opts = decodeOptionalJson(req.headers['content-type'], req.body) as DeleteOptions;
    checkPolicy(opts.propagationPolicy);
    return opts;
  }
  const opts: DeleteOptions = {};
  const grace = req.query.get('gracePeriodSeconds');
  if (grace !== null) {
    if (!/^-?\d+$/.test(grace)) throw badRequest(`invalid gracePeriodSeconds: ${grace}`);
    opts.gracePeriodSeconds = Number(grace);
  }
  const policy = req.query.get('propagationPolicy');
  if (policy) opts.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  if (req.query.get('orphanDependents') !== null) opts.orphanDependents = req.query.get('orphanDependents') === 'true';
  checkPolicy(opts.propagationPolicy);
  return opts;
}

function checkPolicy(policy: string | undefined): void {
  if (policy && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw badRequest(
      `propagationPolicy: Unsupported value: "${policy}": supported values: "Orphan", "Background", "Foreground"`,
    );
  }
}

/** Serves one resource request (already authenticated and authorized). */
export async function handleResource(
  deps: ResourceHandlerDeps,
  ctxBase: Omit<RequestContext, 'dryRun'>,
  req: ApiRequest,
  ri: ResourceRequestInfo,
): Promise<ApiResponse> {
  const info = findResource(ri.group, ri.version, ri.resource);
  if (!info) throw pathNotFound();
  if (!info.namespaced && ri.namespace) throw pathNotFound();
  checkVerb(info, ri);
  const ctx: RequestContext = { ...ctxBase, dryRun: dryRun(req.query) };
  const { registry } = deps;
  if (ri.subresource) return handleSubresource(deps, ctx, req, ri, info);
  if (info.resource === 'bindings') return handleSubresource(deps, ctx, req, { ...ri, subresource: 'binding' }, info);
  const table = wantsTable(req.headers.accept);
  const render = (obj: KubeObject) =>
    table ? toTable(info, [obj], { now: ctx.now, includeObject: includeObject(req.query) }) : obj;

  switch (ri.verb) {
    case 'get':
      return json(200, render(await registry.get(info, ri.namespace, ri.name)));
    case 'list':
      return json(200, await listObjects(registry, info, ri.namespace, req.query, table, ctx.now));
    case 'watch':
      return watchObjects(registry, info, ri, req, deps.now);
    case 'create': {
      if (ri.name) throw methodNotAllowed();
      const body = decodeObjectBody(req.headers['content-type'], req.body);
      const warnings = checkUnknownFields(info, body, req.query);
      const created = await registry.create(ctx, info, ri.namespace, body);
      return json(201, created, warnings);
    }
    case 'update': {
      const body = decodeObjectBody(req.headers['content-type'], req.body);
      const warnings = checkUnknownFields(info, body, req.query);
      return json(200, await registry.update(ctx, info, ri.namespace, ri.name, body), warnings);
    }
    case 'patch': {
      const type = patchTypeOf(req.headers['content-type']);
      const patch = decodePatch(req.body);
      let warnings: Record<string, string> = {};
      const pinned = resourceVersionIn(patch);
      const updated = await registry.write(
        ctx,
        info,
        ri.namespace,
        ri.name,
        (current) => {
          const patched = applyPatch(info, current, type, patch);
          warnings = checkUnknownFields(info, patched, req.query);
          return patched;
        },
        '',
        pinned ? { resourceVersion: pinned } : {},
      );
      return json(200, updated, warnings);
    }
    case 'delete': {
      const result = await deleteObject(registry, deps, ctx, info, ri.namespace, ri.name, deleteOptions(req));
      if (!result.deleted || strategyFor(info).returnDeletedObject) return json(200, result.object);
      const m = result.object.metadata;
      return json(
        200,
        successStatus({ name: m.name, ...(info.group ? { group: info.group } : {}), kind: info.resource, uid: m.uid }),
      );
    }
    case 'deletecollection': {
      const options = deleteOptions(req);
      const list = (await listObjects(registry, info, ri.namespace, req.query, false, ctx.now)) as {
        items: KubeObject[];
      };
      const deleted: KubeObject[] = [];
      for (const item of list.items) {
        const m = item.metadata;
        const r = await deleteObject(registry, deps, ctx, info, m.namespace ?? '', m.name ?? '', options);
        deleted.push(r.object);
      }
      return json(200, { kind: `${info.kind}List`, apiVersion: groupVersion(info), metadata: {}, items: deleted });
    }
    default:
      throw methodNotAllowed();
  }
}

/** A `metadata.resourceVersion` inside a merge or strategic patch is a precondition (kubectl label --resource-version). */
function resourceVersionIn(patch: unknown): string | undefined {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return undefined;
  const rv = (patch as { metadata?: { resourceVersion?: unknown } }).metadata?.resourceVersion;
  return typeof rv === 'string' && rv ? rv : undefined;
}
