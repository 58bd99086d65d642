// Amounts as integers of minor units, and conversion to the base currency's minor units.
import { FlowGuardError } from './errors.js';

/** ISO 4217 minor-unit exponents that differ from 2. */
const EXPONENT_EXCEPTIONS: Record<string, number> = {
  BHD: 3,
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  IQD: 3,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  PYG: 0,
  RWF: 0,
  TND: 3,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
};
const BASE_EXPONENT = 2;

export function currencyExponent(currency: string): number {
  return EXPONENT_EXCEPTIONS[currency] ?? 2;
}

/** "150.5" in a currency with exponent 2 → 15050n. Rejects amounts finer than the minor unit. */
export function toMinorUnits(decimal: string, currency: string): bigint {
  const exponent = currencyExponent(currency);
  const [whole = '0', fraction = ''] = decimal.split('.');
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > exponent) {
    throw new FlowGuardError(
      'FG_AMOUNT_PRECISION',
      `amount ${decimal} ${currency} is finer than the currency's minor unit (${exponent} decimals)`,
    );
  }
  return BigInt(whole + significant.padEnd(exponent, '0'));
}

export class CurrencyConverter {
  constructor(
    private readonly baseCurrency: string,
    private readonly rates: Record<string, number>,
  ) {}

  /** Amount in base-currency minor units (integer); an unknown currency is an error, never a guess. */
  toBaseMinor(decimal: string, currency: string): number {
    const minor = toMinorUnits(decimal, currency);
    if (currency === this.baseCurrency) return Number(minor);
    const rate = this.rates[currency];
    if (rate === undefined) {
      throw new FlowGuardError(
        'FG_UNKNOWN_CURRENCY',
        `currency ${currency} has no rate to ${this.baseCurrency} in FX_RATES`,
      );
    }
    const major = Number(minor) / 10 ** currencyExponent(currency);
    return Math.round(major * rate * 10 ** BASE_EXPONENT);
  }
}
