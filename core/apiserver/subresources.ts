/**
 * Subresources: `status` (get/update/patch of status only), `scale`
 * (autoscaling/v1 Scale over a workload's replicas), `binding` (assigning a
 * pod to a node), `finalize` (a namespace's spec finalizers) and the connect
 * subresources `pods/log` and `pods/exec` (`pod-connect.ts`).
 */
import type { Binding } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import type { ResourceInfo } from '../api/resources.ts';
import { badRequest, field, invalid, methodNotAllowed, pathNotFound } from '../errors/index.ts';
import { bindPod } from '../registry/binding.ts';
import type { RequestContext } from '../registry/strategy.ts';
import { decodeObjectBody, decodePatch, patchTypeOf } from './negotiation.ts';
import { applyPatch } from './patch.ts';
import { handlePodExec, handlePodLog } from './pod-connect.ts';
import type { ResourceRequestInfo } from './request-info.ts';
import type { ResourceHandlerDeps } from './resource-handler.ts';
import { checkUnknownFields } from './resource-handler.ts';
import { json, successStatus } from './responses.ts';
import { labelSelectorString } from './selectors.ts';
import type { ApiRequest, ApiResponse } from './types.ts';

const SCALE_INFO = { group: 'autoscaling', version: 'v1', resource: 'scale', kind: 'Scale' } as const;

/** Builds the autoscaling/v1 Scale view of a workload. */
export function toScale(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: unknown };
  const status = (obj.status ?? {}) as { replicas?: number };
  const m = obj.metadata;
  const selector =
    spec.selector &&
    typeof spec.selector === 'object' &&
    ('matchLabels' in spec.selector || 'matchExpressions' in spec.selector)
      ? labelSelectorString(spec.selector as object)
      : Object.entries((spec.selector ?? {}) as Record<string, string>)
          .map(([k, v]) => `${k}=${v}`)
          .join(',');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector },
  };
}

/** Serves `<resource>/<subresource>` requests. */
export async function handleSubresource(
  deps: ResourceHandlerDeps,
  ctx: RequestContext,
  req: ApiRequest,
  ri: ResourceRequestInfo,
  info: ResourceInfo,
): Promise<ApiResponse> {
  const sub = info.subresources.find((s) => s.name === ri.subresource);
  if (!sub && !(info.resource === 'bindings' && ri.subresource === 'binding')) throw pathNotFound();
  if (sub && !sub.verbs.includes(ri.verb === 'list' ? 'get' : ri.verb)) throw methodNotAllowed();
  const { registry } = deps;
  switch (ri.subresource) {
    case 'status':
    case 'finalize': {
      const target = ri.subresource === 'status' ? 'status' : 'finalize';
      if (ri.verb === 'get') return json(200, await registry.get(info, ri.namespace, ri.name));
      const mutate =
        ri.verb === 'patch'
          ? (() => {
              const type = patchTypeOf(req.headers['content-type']);
              const patch = decodePatch(req.body);
              return (cur: KubeObject) => applyPatch(info, cur, type, patch);
            })()
          : (() => {
              const body = decodeObjectBody(req.headers['content-type'], req.body);
              checkUnknownFields(info, body, req.query);
              return () => body;
            })();
      const updated = await registry.write(ctx, info, ri.namespace, ri.name, mutate, target);
      return json(200, updated);
    }
    case 'scale':
      return handleScale(deps, ctx, req, ri, info);
    case 'binding':
      return handleBinding(deps, ctx, req, ri);
    case 'log':
      return handlePodLog(deps, req, ri);
    case 'exec':
      return handlePodExec(deps, req, ri);
    default:
      throw methodNotAllowed(`the server does not serve ${info.resource}/${ri.subresource} in this version of skube`);
  }
}

async function handleScale(
  deps: ResourceHandlerDeps,
  ctx: RequestContext,
  req: ApiRequest,
  ri: ResourceRequestInfo,
  info: ResourceInfo,
): Promise<ApiResponse> {
  const { registry } = deps;
  if (ri.verb === 'get') return json(200, toScale(await registry.get(info, ri.namespace, ri.name)));
  let pinned: string | undefined;
  let desired: (scale: KubeObject) => KubeObject;
  if (ri.verb === 'patch') {
    const type = patchTypeOf(req.headers['content-type']);
    const patch = decodePatch(req.body);
    desired = (scale) => applyPatch(SCALE_INFO, scale, type === 'strategic' ? 'merge' : type, patch);
  } else {
    const body = decodeObjectBody(req.headers['content-type'], req.body);
    if (body.kind && body.kind !== 'Scale')
      throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (Scale)`);
    pinned = body.metadata?.resourceVersion || undefined;
    desired = () => body;
  }
  const updated = await registry.write(
    ctx,
    info,
    ri.namespace,
    ri.name,
    (cur) => {
      const scale = desired(toScale(cur));
      const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalid({ group: 'autoscaling', kind: 'Scale' }, ri.name, [
          field.invalid('spec.replicas', replicas, 'must be greater than or equal to 0'),
        ]);
      }
      return { ...cur, spec: { ...(cur.spec as object), replicas } };
    },
    '',
    pinned ? { resourceVersion: pinned } : {},
  );
  return json(200, toScale(updated));
}

async function handleBinding(
  deps: ResourceHandlerDeps,
  ctx: RequestContext,
  req: ApiRequest,
  ri: ResourceRequestInfo,
): Promise<ApiResponse> {
  if (ri.verb !== 'create') throw methodNotAllowed();
  const body = decodeObjectBody(req.headers['content-type'], req.body) as unknown as Binding;
  const podName = ri.resource === 'bindings' ? (body.metadata?.name ?? '') : ri.name;
  if (ri.resource !== 'bindings' && body.metadata?.name && body.metadata.name !== ri.name) {
    throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${ri.name})`);
  }
  const target = body.target?.name;
  if (!target) throw invalid({ group: '', kind: 'Binding' }, podName, [field.required('target.name')]);
  await bindPod(deps.registry, ctx, ri.namespace, podName, target, {
    uid: body.metadata?.uid || undefined,
    annotations: body.metadata?.annotations,
  });
  return json(201, successStatus({}));
}
