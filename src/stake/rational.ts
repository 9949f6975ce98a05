// Exact rational arithmetic on bigint, for the seed's closed forms. Every finite JSON number is a
// dyadic rational, so weights and probabilities can be computed with no rounding at all and
// converted to a double once, at the end, for reporting.

export interface Rational {
  readonly num: bigint;
  /** Always positive; num/den is kept in lowest terms. */
  readonly den: bigint;
}

export const ZERO: Rational = { num: 0n, den: 1n };
export const ONE: Rational = { num: 1n, den: 1n };

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function rational(num: bigint, den = 1n): Rational {
  if (den === 0n) throw new RangeError('rational: zero denominator');
  const sign = den < 0n ? -1n : 1n;
  const g = gcd(num, den) || 1n;
  return { num: (sign * num) / g, den: (sign * den) / g };
}

/** The exact value of a finite double (doubling a double is exact until it is an integer). */
export function fromNumber(x: number): Rational {
  if (!Number.isFinite(x)) throw new RangeError(`fromNumber: ${x} is not finite`);
  let scaled = x;
  let den = 1n;
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    den *= 2n;
  }
  return rational(BigInt(scaled), den);
}

export const add = (a: Rational, b: Rational): Rational => rational(a.num * b.den + b.num * a.den, a.den * b.den);
export const sub = (a: Rational, b: Rational): Rational => rational(a.num * b.den - b.num * a.den, a.den * b.den);
export const mul = (a: Rational, b: Rational): Rational => rational(a.num * b.num, a.den * b.den);
export const div = (a: Rational, b: Rational): Rational => rational(a.num * b.den, a.den * b.num);
export const compare = (a: Rational, b: Rational): number => {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

export function pow(base: Rational, exponent: number): Rational {
  if (!Number.isInteger(exponent) || exponent < 0) throw new RangeError('pow: exponent must be a natural number');
  const e = BigInt(exponent);
  return { num: base.num ** e, den: base.den ** e }; // powers of coprime numbers stay coprime
}

export function bitLength(x: bigint): number {
  return x === 0n ? 0 : (x < 0n ? -x : x).toString(2).length;
}

/** num/den as the nearest double (within one ulp), however large num and den are. */
export function ratioToNumber(num: bigint, den: bigint): number {
  if (den === 0n) throw new RangeError('ratioToNumber: zero denominator');
  if (num === 0n) return 0;
  const negative = num < 0n !== den < 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  // Shift so the integer quotient carries 64 significant bits, then scale back by 2^-shift.
  const shift = 64 - (bitLength(n) - bitLength(d));
  const q = shift >= 0 ? (n << BigInt(shift)) / d : n / (d << BigInt(-shift));
  const half = Math.trunc(shift / 2);
  const value = Number(q) * 2 ** -half * 2 ** -(shift - half);
  return negative ? -value : value;
}

export const toNumber = (r: Rational): number => ratioToNumber(r.num, r.den);
