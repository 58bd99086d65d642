// The decoder's one-pass amount reader against the contract's reading: wherever it answers, the same
// minor units; it never answers for a form the contract refuses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currencyExponent,
  plainMinorUnits,
  toMinorUnits,
} from '../../../services/detector/src/domain/money.js';

const CONTRACT_AMOUNT = /^\d{1,12}(\.\d{1,18})?$/;

const decimalText = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^\d{1,13}$/), fc.option(fc.stringMatching(/^\d{0,19}$/)))
    .map(([w, f]) => (f === null ? w : `${w}.${f}`)),
  fc.constantFrom('', '.', '1.', '.5', '1e5', '-1', ' 1', '1 ', '１', '150.00', '0.010', '999999999999.99'),
  fc.string({ maxLength: 8 }),
);

describe('plainMinorUnits', () => {
  it('reads what toMinorUnits reads, and answers only for amounts the contract accepts', () => {
    fc.assert(
      fc.property(decimalText, fc.constantFrom('RUB', 'JPY', 'KWD'), (decimal, currency) => {
        const exponent = currencyExponent(currency);
        const minor = plainMinorUnits(decimal, exponent);
        if (minor === null) return;
        expect(CONTRACT_AMOUNT.test(decimal)).toBe(true);
        expect(minor).toBe(toMinorUnits(decimal, currency));
      }),
      { numRuns: 5000 },
    );
  });

  it('answers for the common forms and leaves finer amounts to the contract', () => {
    expect(plainMinorUnits('150.5', 2)).toBe(15_050);
    expect(plainMinorUnits('150.500', 2)).toBe(15_050);
    expect(plainMinorUnits('0.01', 2)).toBe(1);
    expect(plainMinorUnits('1500', 0)).toBe(1_500);
    expect(plainMinorUnits('1.5', 0)).toBeNull();
    expect(plainMinorUnits('0.001', 2)).toBeNull();
    expect(plainMinorUnits('1234567890123', 2)).toBeNull();
  });
});
