/**
 * JSON patch (RFC 6902, `application/json-patch+json`), as `kubectl patch
 * --type json` and `kubectl rollout undo` send it. Operations are validated
 * before and while they apply: `replace` and `remove` need an existing path,
 * `add` an existing parent, `test` an equal value.
 */
import jsonPatch from 'fast-json-patch';
import { badRequest, type StatusError, tooLarge } from '../../errors/index.ts';

/** Kubernetes refuses JSON patches with more operations than this (413). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** One RFC 6902 operation. */
export type JsonPatchOperation = jsonPatch.Operation;

const REASONS: Record<string, string> = {
  SEQUENCE_NOT_AN_ARRAY: 'a JSON patch must be a list of operations',
  OPERATION_NOT_AN_OBJECT: 'the operation is not an object',
  OPERATION_OP_INVALID: 'op must be one of add, remove, replace, move, copy or test',
  OPERATION_PATH_INVALID: 'path must be a JSON pointer starting with "/"',
  OPERATION_FROM_REQUIRED: 'from is required for move and copy',
  OPERATION_VALUE_REQUIRED: 'value is required for add, replace and test',
  OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED: 'value is required for add, replace and test',
  OPERATION_PATH_CANNOT_ADD: 'the parent of the path does not exist',
  OPERATION_PATH_UNRESOLVABLE: 'the path does not exist',
  OPERATION_FROM_UNRESOLVABLE: 'the from path does not exist',
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: 'the path has an invalid array index',
  OPERATION_VALUE_OUT_OF_BOUNDS: 'the array index is out of bounds',
  TEST_OPERATION_FAILED: 'the test failed: the value at the path differs',
};

function describeOp(op: unknown): string {
  if (!op || typeof op !== 'object') return '';
  const { op: name, path } = op as { op?: unknown; path?: unknown };
  return ` (${typeof name === 'string' ? name : '?'} ${typeof path === 'string' ? JSON.stringify(path) : '?'})`;
}

function toStatusError(err: unknown, ops: readonly unknown[]): StatusError {
  if (err instanceof jsonPatch.JsonPatchError) {
    const reason = REASONS[err.name] ?? 'the operation is invalid';
    if (err.index === undefined) return badRequest(`invalid JSON patch: ${reason}`);
    return badRequest(`JSON patch operation ${err.index}${describeOp(ops[err.index])} failed: ${reason}`);
  }
  // fast-json-patch throws a TypeError for paths through __proto__ and friends.
  return badRequest(`invalid JSON patch: ${err instanceof Error ? err.message : String(err)}`);
}

/**
 * Applies an RFC 6902 patch to `target` and returns the patched copy;
 * `target` and `ops` are not modified. Throws 400 BadRequest naming the
 * failing operation when `ops` is not a list of valid operations, a path does
 * not resolve, or a `test` fails; throws 413 past
 * {@link MAX_JSON_PATCH_OPERATIONS} operations. Nothing is applied when any
 * operation fails.
 */
export function applyJsonPatch<T>(target: T, ops: unknown): T {
  if (!Array.isArray(ops)) throw toStatusError(new jsonPatch.JsonPatchError('', 'SEQUENCE_NOT_AN_ARRAY'), []);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw tooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  try {
    // Validation applies to a deep copy; the copied operations keep the library from sharing their values.
    return jsonPatch.applyPatch(target, structuredClone(ops) as JsonPatchOperation[], true, false).newDocument;
  } catch (err) {
    throw toStatusError(err, ops);
  }
}
