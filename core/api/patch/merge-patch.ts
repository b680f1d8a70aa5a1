/**
 * JSON merge patch (RFC 7386, `application/merge-patch+json`): objects merge
 * recursively, `null` removes a key, anything else (arrays included) replaces
 * the target value. The algorithm comes from the `json-merge-patch` package.
 */
import jsonMergePatch from 'json-merge-patch';

/**
 * Applies an RFC 7386 merge patch to `target` and returns the result; neither
 * argument is modified and the result shares no objects with them. A patch
 * that is not a JSON object replaces the target whole. Never throws for JSON
 * input. Applying the same patch twice gives the same result as once.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  // The package updates its target in place and reuses the patch's arrays.
  return jsonMergePatch.apply(structuredClone(target), structuredClone(patch));
}
