/**
 * Kubernetes resource quantities (`resource.Quantity`): `100m`, `1.5`, `512Mi`,
 * `1G`, `1e3`. Parsing is exact (BigInt rational) so that `0.1` CPU is 100
 * millicores, not 101 after a float round-up.
 */

/** A parsed quantity: sign × numerator / denominator, exactly. */
export interface Quantity {
  readonly negative: boolean;
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** Thrown by {@link parseQuantity} for text that is not a quantity; the message is apimachinery's. */
export class QuantityError extends Error {
  constructor(readonly input: string) {
    super("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    this.name = 'QuantityError';
  }
}

// Decimal SI suffixes as powers of ten; binary SI suffixes as powers of two.
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

const NUMBER = /^([+-]?)(\d+\.?\d*|\.\d+)(.*)$/;
const EXPONENT = /^[eE]([+-]?\d+)$/;

/**
 * Parses a quantity as the API serializes it (a string, or a JSON number when a
 * client sent one). Throws {@link QuantityError} when the text is not a quantity.
 */
export function parseQuantity(input: string | number): Quantity {
  const text = typeof input === 'number' ? String(input) : input;
  const m = NUMBER.exec(text);
  if (!m) throw new QuantityError(text);
  const [, sign, num, suffix] = m;
  let exp10 = 0;
  let exp2 = 0;
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) exp10 = DECIMAL_SUFFIXES[suffix];
  else if (Object.hasOwn(BINARY_SUFFIXES, suffix)) exp2 = BINARY_SUFFIXES[suffix];
  else {
    const e = EXPONENT.exec(suffix);
    if (!e) throw new QuantityError(text);
    exp10 = Number.parseInt(e[1], 10);
  }
  const dot = num.indexOf('.');
  const digits = dot < 0 ? num : num.slice(0, dot) + num.slice(dot + 1);
  const fraction = dot < 0 ? 0 : num.length - dot - 1;
  let numerator = BigInt(digits) << BigInt(exp2);
  let denominator = 10n ** BigInt(fraction);
  if (exp10 >= 0) numerator *= 10n ** BigInt(exp10);
  else denominator *= 10n ** BigInt(-exp10);
  return { negative: sign === '-' && numerator !== 0n, numerator, denominator };
}

/** Whether `input` parses as a quantity. */
export function isQuantity(input: string | number): boolean {
  try {
    parseQuantity(input);
    return true;
  } catch {
    return false;
  }
}

// Quantities repeat endlessly across pods ("100m", "128Mi"); a bounded memo keeps
// the scheduler's hot path free of BigInt work.
const MEMO_LIMIT = 4096;
const valueMemo = new Map<string, number>();
const milliMemo = new Map<string, number>();

function scaled(input: string | number, scale: bigint, memo: Map<string, number>): number {
  const key = String(input);
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const q = parseQuantity(input);
  const n = q.numerator * scale;
  // Kubernetes rounds away from zero when a quantity has more precision than the scale.
  let whole = n / q.denominator;
  if (whole * q.denominator !== n) whole += 1n;
  const result = Number(q.negative ? -whole : whole);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, result);
  return result;
}

/**
 * The quantity as an integer (`Quantity.Value()`): bytes for memory, a count for
 * pods; fractions round away from zero. Throws {@link QuantityError}.
 */
export function quantityValue(input: string | number): number {
  return scaled(input, 1n, valueMemo);
}

/**
 * The quantity in thousandths (`Quantity.MilliValue()`): millicores for CPU;
 * fractions round away from zero. Throws {@link QuantityError}.
 */
export function quantityMilliValue(input: string | number): number {
  return scaled(input, 1000n, milliMemo);
}
