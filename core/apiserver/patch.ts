/**
 * Applies a PATCH body of any supported type to the current object. Server-side
 * apply (`application/apply-patch+yaml`, sent only by `kubectl apply --server-side`)
 * never gets here: `patchTypeOf` refuses it with 415.
 */
import type { KubeObject } from '../api/object.ts';
import { applyJsonPatch } from '../api/patch/json-patch.ts';
import { applyMergePatch } from '../api/patch/merge-patch.ts';
import { isStrategicMergePatchSupported, strategicMergePatchUnsupported } from '../api/patch/patch-meta.ts';
import { applyStrategicMergePatch } from '../api/patch/strategic-merge-patch.ts';
import { badRequest } from '../errors/index.ts';
import type { PatchType } from './negotiation.ts';

/** Returns the patched object (a new one). Throws 400 for patches that do not apply, 415 for unsupported types. */
export function applyPatch(
  gvk: { group: string; version: string; kind: string },
  current: KubeObject,
  type: Exclude<PatchType, 'apply'>,
  patch: unknown,
): KubeObject {
  let out: unknown;
  switch (type) {
    case 'json':
      if (!Array.isArray(patch)) throw badRequest('json patch must be an array of operations');
      out = applyJsonPatch(current, patch);
      break;
    case 'merge':
      out = applyMergePatch(current, patch);
      break;
    case 'strategic': {
      const target = { group: gvk.group, version: gvk.version, kind: gvk.kind };
      if (!isStrategicMergePatchSupported(target)) throw strategicMergePatchUnsupported(target);
      out = applyStrategicMergePatch(current, patch, target);
      break;
    }
  }
  if (!out || typeof out !== 'object' || Array.isArray(out)) throw badRequest('the patch must produce an object');
  const obj = out as KubeObject;
  obj.metadata ??= {};
  return obj;
}
