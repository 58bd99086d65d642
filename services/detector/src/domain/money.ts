// Money: integer minor units, one currency exponent table, conversion to the base currency.
import { currencyExponent } from '../../../../schemas/currency.js';
import { FlowGuardError } from '../errors.js';

export { currencyExponent } from '../../../../schemas/currency.js';

/**
 * The decoder's fast path: minor units of a plain decimal (1-12 digits, optionally "." and 1-18 more)
 * carrying at most `exponent` significant decimals, read in one pass; null for anything else (a
 * finer amount, another form, a result beyond exact integers), which the contract then judges.
 * Equal to toMinorUnits wherever it answers (tests/unit/domain/money.test.ts).
 */
export function plainMinorUnits(decimal: string, exponent: number): number | null {
  const n = decimal.length;
  let i = 0;
  let whole = 0;
  for (; i < n; i++) {
    const c = decimal.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
  }
  if (i === 0 || i > 12) return null;
  let fraction = 0;
  if (i < n) {
    if (decimal.charCodeAt(i) !== 46) return null;
    const start = i + 1;
    for (i = start; i < n; i++) {
      const c = decimal.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return null;
    }
    if (n === start || n - start > 18) return null;
    let end = n;
    while (end > start && decimal.charCodeAt(end - 1) === 48) end--;
    if (end - start > exponent) return null;
    for (let k = start; k < end; k++) fraction = fraction * 10 + (decimal.charCodeAt(k) - 48);
    fraction *= 10 ** (exponent - (end - start));
  }
  const minor = whole * 10 ** exponent + fraction;
  return Number.isSafeInteger(minor) ? minor : null;
}

/** "150.5" in a currency with exponent 2 → 15050. Rejects amounts finer than the minor unit. */
export function toMinorUnits(decimal: string, currency: string): number {
  const exponent = currencyExponent(currency);
  const [whole = '0', fraction = ''] = decimal.split('.');
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > exponent) {
    throw new FlowGuardError(
      'FG_AMOUNT_PRECISION',
      `amount ${decimal} ${currency} is finer than the currency's minor unit (${exponent} decimals)`,
    );
  }
  // The contract allows at most 12 integer digits, so the result is an exact double.
  return Number(whole + significant.padEnd(exponent, '0'));
}

/** Amounts in the base currency: minor units on the hot path, major units for people. */
export class BaseCurrency {
  readonly exponent: number;
  private readonly scale: number;

  constructor(readonly code: string) {
    this.exponent = currencyExponent(code);
    this.scale = 10 ** this.exponent;
  }

  /** Minor units → major units (what an analyst reads and what rule files are written in). */
  toMajor(minor: number): number {
    return minor / this.scale;
  }

  /** Major units (a rule file, a configured threshold) → minor units, rounded to the minor unit. */
  toMinor(major: number): number {
    return Math.round(major * this.scale);
  }

  /** "95,000 RUB": whole major units for sentences. */
  format(minor: number): string {
    return `${Math.round(this.toMajor(minor)).toLocaleString('en-US')} ${this.code}`;
  }
}

export class CurrencyConverter {
  constructor(
    readonly base: BaseCurrency,
    private readonly rates: Readonly<Record<string, number>>,
  ) {}

  /** Amount in base-currency minor units (integer); an unknown currency is an error, never a guess. */
  toBaseMinor(decimal: string, currency: string): number {
    return this.baseMinorOf(toMinorUnits(decimal, currency), currency);
  }

  /** `minor` units of `currency` in base-currency minor units. */
  baseMinorOf(minor: number, currency: string): number {
    if (currency === this.base.code) return minor;
    const rate = this.rates[currency];
    if (rate === undefined) {
      throw new FlowGuardError(
        'FG_UNKNOWN_CURRENCY',
        `currency ${currency} has no rate to ${this.base.code} in FX_RATES`,
      );
    }
    return this.base.toMinor((minor / 10 ** currencyExponent(currency)) * rate);
  }
}
