/**
 * CrashLoopBackOff as the kubelet computes it: the first restart of a
 * crashed container is immediate, every further one waits 10 s doubling up
 * to 5 min, and a container that ran for 10 minutes before exiting starts
 * over. Pure: callers keep the state and pass the clock.
 */

/** Delay before the second restart. */
export const INITIAL_BACKOFF_MS = 10_000;
/** Longest delay. */
export const MAX_BACKOFF_MS = 300_000;
/** A container that ran this long before exiting resets its backoff. */
export const BACKOFF_RESET_MS = 600_000;

/** Backoff state of one container of one pod. */
export interface BackoffState {
  /** Delay the next restart waits, 0 for none yet. */
  delayMs: number;
}

/**
 * After a container exited (it ran from `startedAt` to `finishedAt`), the
 * time its restart may happen and the state to keep for the exit after
 * that. Idempotent for the same exit when the caller stores the result per
 * exit.
 */
export function nextRestart(
  state: BackoffState | undefined,
  startedAtMs: number,
  finishedAtMs: number,
): { restartAtMs: number; state: BackoffState } {
  const ranFor = finishedAtMs - startedAtMs;
  const delay = !state || ranFor >= BACKOFF_RESET_MS ? 0 : state.delayMs;
  const next = delay === 0 ? INITIAL_BACKOFF_MS : Math.min(delay * 2, MAX_BACKOFF_MS);
  return { restartAtMs: finishedAtMs + delay, state: { delayMs: next } };
}

/** Kubernetes' waiting message while a container is held back. */
export function backoffMessage(
  delayMs: number,
  container: string,
  pod: string,
  namespace: string,
  uid: string,
): string {
  return `back-off ${formatDuration(delayMs)} restarting failed container=${container} pod=${pod}_${namespace}(${uid})`;
}

/** Go's `time.Duration.String` for whole seconds and minutes (`10s`, `1m20s`, `5m0s`). */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${s % 60}s`;
}
