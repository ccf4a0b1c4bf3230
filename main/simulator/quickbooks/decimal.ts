/**
 * Exact decimal arithmetic for qbXML money and quantities. Binary floats turn
 * 3 × 19.99 into 59.970000000000006, and QuickBooks never does; every value here is a
 * BigInt scaled by 10^5, enough for PRICETYPE/QUANTYPE/PERCENTTYPE (at most five
 * decimals, qbxmltypes160.xsd) and AMTTYPE (two).
 */

const SCALE = 5;

export type Decimal = bigint;

export const ZERO: Decimal = 0n;
/** The decimal 1 (a line without a Quantity counts once). */
export const ONE: Decimal = 10n ** BigInt(SCALE);

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** Parses "19.99", "-3", "2.5"; undefined for anything else or more than five decimals. */
export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  if (fraction.length > SCALE) return undefined;
  const value = BigInt(m[2] as string) * ONE + BigInt(fraction.padEnd(SCALE, '0') || '0');
  return m[1] === '-' ? -value : value;
}

/** Divides rounding half away from zero, as QuickBooks rounds amounts to the cent. */
function divRound(n: bigint, d: bigint): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice < d) return q;
  return n < 0n ? q - 1n : q + 1n;
}

/** Rounds to `places` decimals (≤ 5). */
export function round(value: Decimal, places: number): Decimal {
  const step = 10n ** BigInt(SCALE - places);
  return divRound(value, step) * step;
}

/** a × b rounded to `places` decimals; the exact product is formed first. */
export function multiply(a: Decimal, b: Decimal, places: number): Decimal {
  const step = 10n ** BigInt(SCALE - places);
  // a × b carries 10 decimals; one rounding division brings it to `places`.
  return divRound(a * b, ONE * step) * step;
}

/** a ÷ b rounded to `places` decimals; b must not be zero. */
export function divide(a: Decimal, b: Decimal, places: number): Decimal {
  const step = 10n ** BigInt(SCALE - places);
  return divRound(a * ONE, b * step) * step;
}

export function sum(values: readonly Decimal[]): Decimal {
  return values.reduce((acc, v) => acc + v, ZERO);
}

/**
 * Renders with at least `minPlaces` and at most five decimals, dropping trailing zeros
 * beyond the minimum — how QuickBooks prints them: Amount "206.00", Rate "103.00" or
 * "22.33", Quantity "2" (samples in shared/reference/qbxml/samples).
 */
export function formatDecimal(value: Decimal, minPlaces: number): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / ONE;
  let fraction = (abs % ONE).toString().padStart(SCALE, '0');
  while (fraction.length > minPlaces && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** AMTTYPE: always two decimals. */
export const formatAmount = (value: Decimal): string => formatDecimal(value, 2);
/** PRICETYPE and PERCENTTYPE: two to five decimals. */
export const formatPrice = (value: Decimal): string => formatDecimal(value, 2);
/** QUANTYPE: no forced decimals. */
export const formatQuantity = (value: Decimal): string => formatDecimal(value, 0);
