/**
 * The `PodScheduled=False`/`Unschedulable` condition the scheduler writes
 * through `pods/status` when no node fits, written only when it would change
 * what the pod already shows (no write storm from repeated attempts).
 */
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/object.ts';
import { findResource, type ResourceInfo } from '../api/resources.ts';
import { rfc3339 } from '../api/time.ts';
import type { Registry } from '../registry/registry.ts';
import { schedulerContext } from './events.ts';

/** The PodScheduled reason for a pod no node fits (`v1.PodReasonUnschedulable`). */
export const REASON_UNSCHEDULABLE = 'Unschedulable';

const PODS = findResource('', 'v1', 'pods') as ResourceInfo;

/** Thrown inside the status write when the pod changed under us; the write is dropped. */
class StalePod extends Error {}

/** Whether `pod` already shows `PodScheduled=False`, reason Unschedulable, with exactly `message`. */
export function showsUnschedulable(pod: Pod, message: string): boolean {
  const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  return c?.status === 'False' && c.reason === REASON_UNSCHEDULABLE && c.message === message;
}

/**
 * Sets `PodScheduled=False`/`Unschedulable` with `message` on the pod through
 * the status write path. Keeps `lastTransitionTime` when the condition was
 * already False. Answers `written`, `unchanged` (the pod already shows it:
 * nothing written) or `stale` (the stored pod is another object by UID, or
 * already bound: nothing written); throws what the registry throws otherwise
 * (404 when the pod is gone).
 */
export async function markUnschedulable(
  registry: Registry,
  pod: Pod,
  message: string,
  now: Date,
): Promise<'written' | 'unchanged' | 'stale'> {
  let changed = true;
  try {
    await registry.write(
      schedulerContext(now),
      PODS,
      pod.metadata?.namespace ?? 'default',
      pod.metadata?.name ?? '',
      (cur) => {
        const current = cur as unknown as Pod;
        if (cur.metadata.uid !== pod.metadata?.uid || current.spec?.nodeName) throw new StalePod();
        if (showsUnschedulable(current, message)) {
          changed = false;
          return cur;
        }
        const conditions = current.status?.conditions ?? [];
        const old = conditions.find((c) => c.type === 'PodScheduled');
        const condition: PodCondition = {
          type: 'PodScheduled',
          status: 'False',
          reason: REASON_UNSCHEDULABLE,
          message,
          lastProbeTime: null as unknown as undefined,
          lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : rfc3339(now),
        };
        const next = conditions.filter((c) => c.type !== 'PodScheduled');
        next.push(condition);
        return { ...cur, status: { ...(current.status as object), conditions: next } } as KubeObject;
      },
      'status',
    );
  } catch (e) {
    if (e instanceof StalePod) return 'stale';
    throw e;
  }
  return changed ? 'written' : 'unchanged';
}
