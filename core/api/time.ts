/** Kubernetes time formats. */

/** RFC 3339 at second precision in UTC, as `metav1.Time` serializes (`2025-01-01T00:00:00Z`). */
export function rfc3339(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** RFC 3339 with microseconds, as `metav1.MicroTime` serializes (`2025-01-01T00:00:00.123456Z`). */
export function rfc3339Micro(d: Date): string {
  return `${d.toISOString().slice(0, 23)}000Z`;
}
