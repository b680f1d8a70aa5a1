/**
 * Ages as `kubectl get` shows them, following apimachinery's
 * `duration.HumanDuration`: about two significant figures, `5s`, `3m2s`,
 * `10m`, `5h30m`, `20h`, `3d4h`, `30d`, `2y10d`, `9y`.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Formats a duration in milliseconds. Up to one second in the future is
 * tolerated as clock skew (`0s`); anything further in the future is
 * `<invalid>`. Pure; never throws.
 */
export function humanDuration(ms: number): string {
  // Truncation toward zero, as Go's int(d.Seconds()), so -1.5s still counts as skew.
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) return withRemainder(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) return withRemainder(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return withRemainder(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return withRemainder(years, 'y', days % 365, 'd');
  return `${years}y`;
}

function withRemainder(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

/** The age of an RFC 3339 timestamp at `now`; `<unknown>` when the timestamp is missing or unparsable. */
export function timestampSince(timestamp: string | undefined | null, now: Date): string {
  const at = timestamp ? Date.parse(timestamp) : Number.NaN;
  return Number.isNaN(at) ? '<unknown>' : humanDuration(now.getTime() - at);
}
