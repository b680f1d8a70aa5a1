/**
 * Which of this node's containers to remove: orphans (their pod no longer
 * exists on this node) and dead attempts beyond the newest exited one per
 * container of a live pod (kept for `kubectl logs --previous`). Pure: only
 * containers already filtered to this node's label are passed in.
 */
import { LABELS, POD_CONTAINER_NAME, type RuntimeContainer } from './runtime.ts';

/** What garbage collection removes. */
export interface GcPlan {
  /** Containers of pods that are gone (stop, then remove). */
  orphans: string[];
  /** Exited containers superseded by a newer exited attempt. */
  dead: string[];
}

const attempt = (c: RuntimeContainer) => Number(c.labels[LABELS.restartCount] ?? 0) || 0;

/** The plan for `containers` given the uids of pods this node still runs (`busy` uids are being worked on and left alone). */
export function planGarbage(
  containers: RuntimeContainer[],
  liveUids: Set<string>,
  busy: Set<string> = new Set(),
): GcPlan {
  const orphans: string[] = [];
  const groups = new Map<string, RuntimeContainer[]>();
  for (const c of containers) {
    const uid = c.labels[LABELS.podUid] ?? '';
    if (busy.has(uid)) continue;
    if (!liveUids.has(uid)) {
      orphans.push(c.id);
      continue;
    }
    const key = `${uid}/${c.labels[LABELS.containerName] ?? ''}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(c);
  }
  const dead: string[] = [];
  for (const [key, list] of groups) {
    const exited = list
      .filter((c) => c.state === 'exited')
      .sort((a, b) => attempt(b) - attempt(a) || b.createdAt.localeCompare(a.createdAt));
    // The sandbox keeps no history: a dead pause container is replaced, never read.
    const keep = key.endsWith(`/${POD_CONTAINER_NAME}`) ? 0 : 1;
    for (const c of exited.slice(keep)) dead.push(c.id);
  }
  return { orphans, dead };
}
