/**
 * Log retention of the SQLite store.
 *
 * Rule, per resource type: a log row is dropped when it is not among the
 * newest `keepRevisions` rows of its type OR it is older than `keepMillis`.
 * So the log holds at most `keepRevisions` rows per type (bounded disk and
 * bounded catch-up work, however busy the type), and it holds the last
 * `keepMillis` of history whenever fewer than `keepRevisions` writes happened
 * in that window. Like etcd's periodic compaction behind Kubernetes, a quiet
 * type's history ages out, and watches or continue tokens from before it get
 * 410 Expired and relist; the current revision itself never expires.
 */

/** Retention settings (see the module comment for the rule). */
export interface Retention {
  keepRevisions: number;
  keepMillis: number;
}

/** Defaults: 10,000 revisions per type, five minutes, compaction once a minute. */
export const DEFAULT_RETENTION: Retention & { intervalMillis: number } = {
  keepRevisions: 10_000,
  keepMillis: 5 * 60_000,
  intervalMillis: 60_000,
};

/**
 * The revision to compact a type to: the larger of the count bound and the
 * newest revision older than the age bound (`newestExpired`, null when none).
 * Never beyond `current`; 0 or less means nothing to drop.
 */
export function compactionTarget(current: number, newestExpired: number | null, retention: Retention): number {
  return Math.min(current, Math.max(current - retention.keepRevisions, newestExpired ?? 0));
}
