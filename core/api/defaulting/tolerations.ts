/**
 * Kubernetes' DefaultTolerationSeconds admission: every pod created without
 * its own toleration of the `node.kubernetes.io/not-ready` or
 * `node.kubernetes.io/unreachable` NoExecute taint gets one (`Exists`,
 * `tolerationSeconds` 300 unless configured otherwise), so the node lifecycle
 * controller evicts it that long after its node fails rather than at once.
 */
import type { Json } from './fields.ts';

/** Kubernetes' default of `--default-not-ready-toleration-seconds` and `--default-unreachable-toleration-seconds`. */
export const DEFAULT_TOLERATION_SECONDS = 300;

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

/** Whether a toleration already covers `key`'s NoExecute taint as the admission plugin judges it (by key and effect). */
function covers(t: Json, key: string): boolean {
  const keyMatches = t.key === key || ((t.key ?? '') === '' && t.operator === 'Exists');
  return keyMatches && (t.effect === 'NoExecute' || (t.effect ?? '') === '');
}

/**
 * Adds the two default tolerations a pod lacks, in place, with
 * `tolerationSeconds` = `seconds`. Idempotent; a pod's own tolerations of
 * those taints (with or without seconds) are kept as they are.
 */
export function addDefaultTolerationSeconds(pod: Json, seconds: number = DEFAULT_TOLERATION_SECONDS): void {
  const spec = pod.spec;
  if (!spec || typeof spec !== 'object') return;
  const tolerations: Json[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const add = [NOT_READY, UNREACHABLE].filter((key) => !tolerations.some((t) => t && covers(t, key)));
  if (add.length === 0) return;
  spec.tolerations = [
    ...tolerations,
    ...add.map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds })),
  ];
}
