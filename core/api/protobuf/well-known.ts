/**
 * JSON forms of the apimachinery types whose Go JSON marshalling is custom:
 * `Time`, `MicroTime`, `Duration`, `Quantity`, `IntOrString`. Each converter
 * takes the decoded protobuf message and returns the value the API server's
 * JSON encoding would print; each throws a BadRequest StatusError where the Go
 * decoder rejects the message.
 */
import protobuf from 'protobufjs';
import { badRequest } from '../../errors/index.ts';
import { rfc3339 } from '../time.ts';

/** A decoded protobuf message as protobufjs hands it out: own properties are the fields present on the wire. */
export type DecodedMessage = Record<string, unknown>;

/** An int64/int32 as protobufjs decodes it (a `Long` when the `long` package is installed). */
type WireInt = number | protobuf.Long;

const has = (msg: DecodedMessage, field: string) => Object.hasOwn(msg, field);

/** A protobuf integer as a JS number (int64 beyond 2^53 loses precision, as in any JSON reader). */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  return protobuf.util.LongBits.from(value as WireInt).toNumber();
}

function toBigInt(value: unknown): bigint {
  if (typeof value === 'number') return BigInt(value);
  const bits = protobuf.util.LongBits.from(value as WireInt);
  return BigInt.asIntN(64, (BigInt(bits.hi >>> 0) << 32n) | BigInt(bits.lo >>> 0));
}

// Go's zero time.Time (0001-01-01T00:00:00Z) as Unix seconds; it marshals as null.
const GO_ZERO_TIME_SECONDS = -62135596800;
// RFC 3339 as Go prints it only covers years 0000-9999.
const MIN_SECONDS = -62167219200;
const MAX_SECONDS = 253402300799;

function timestampParts(msg: DecodedMessage): { seconds: number; nanos: number } | null {
  // An empty Time message is how Go writes the zero time.
  if (!has(msg, 'seconds') && !has(msg, 'nanos')) return null;
  const seconds = toNumber(msg.seconds ?? 0);
  if (seconds === GO_ZERO_TIME_SECONDS && !msg.nanos) return null;
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw badRequest(`timestamp seconds ${seconds} is outside the range of RFC 3339 years 0000-9999`);
  }
  return { seconds, nanos: toNumber(msg.nanos ?? 0) };
}

/**
 * `metav1.Time` as JSON: RFC 3339 at second precision in UTC, or null for the
 * zero time. Nanoseconds are dropped, as the Go decoder drops them.
 */
export function timeToJson(msg: DecodedMessage): string | null {
  const parts = timestampParts(msg);
  return parts ? rfc3339(new Date(parts.seconds * 1000)) : null;
}

/** `metav1.MicroTime` as JSON: RFC 3339 with six fractional digits in UTC, or null for the zero time. */
export function microTimeToJson(msg: DecodedMessage): string | null {
  const parts = timestampParts(msg);
  if (!parts) return null;
  if (parts.nanos < 0 || parts.nanos > 999_999_999) throw badRequest(`timestamp nanos ${parts.nanos} out of range`);
  const micros = String(Math.floor(parts.nanos / 1000)).padStart(6, '0');
  return `${rfc3339(new Date(parts.seconds * 1000)).slice(0, -1)}.${micros}Z`;
}

const UNITS: [bigint, string][] = [
  [1_000_000n, 'ms'],
  // Go prints the micro sign, U+00B5.
  [1_000n, '\u00b5s'],
  [1n, 'ns'],
];

function fraction(value: bigint, unit: bigint): string {
  const whole = value / unit;
  const rest = value % unit;
  if (rest === 0n) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Go's `time.Duration.String()` for a count of nanoseconds: `1h2m3.5s`, `1.5ms`, `0s`. */
export function goDurationString(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const sign = nanoseconds < 0n ? '-' : '';
  const abs = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (abs < 1_000_000_000n) {
    const [unit, suffix] = UNITS.find(([u]) => abs >= u) as [bigint, string];
    return `${sign}${fraction(abs, unit)}${suffix}`;
  }
  const hours = abs / 3_600_000_000_000n;
  const minutes = (abs / 60_000_000_000n) % 60n;
  const seconds = fraction(abs % 60_000_000_000n, 1_000_000_000n);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** `metav1.Duration` as JSON: the Go duration string of its nanoseconds. */
export function durationToJson(msg: DecodedMessage): string {
  return goDurationString(toBigInt(msg.duration ?? 0));
}

// The grammar `resource.ParseQuantity` accepts: a signed decimal and an optional
// binary-SI, decimal-SI or decimal-exponent suffix.
const QUANTITY = /^[+-]?(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/**
 * `resource.Quantity` as JSON: its string, as sent. Absent means the zero
 * quantity, `"0"`. Not canonicalised: Go clients already send canonical
 * strings.
 */
export function quantityToJson(msg: DecodedMessage): string {
  if (!has(msg, 'string')) return '0';
  const s = msg.string as string;
  if (!QUANTITY.test(s)) {
    throw badRequest(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  }
  return s;
}

/** `intstr.IntOrString` as JSON: a number for type 0 (Int), a string for type 1 (String). */
export function intOrStringToJson(msg: DecodedMessage): number | string {
  const type = toNumber(msg.type ?? 0);
  if (type === 0) return toNumber(msg.intVal ?? 0);
  if (type === 1) return (msg.strVal as string | undefined) ?? '';
  throw badRequest(`invalid IntOrString type ${type}`);
}
