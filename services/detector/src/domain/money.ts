// Money: integer minor units, one currency exponent table, conversion to the base currency.
import { currencyExponent } from '../../../../schemas/currency.js';
import { FlowGuardError } from '../errors.js';

export { currencyExponent } from '../../../../schemas/currency.js';

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
    const minor = toMinorUnits(decimal, currency);
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
