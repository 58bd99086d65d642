// An event's body fingerprint is stored in its wallets' rings: computed without the string, it must be
// the very number the string gave, or a redelivery after an upgrade would read as another body.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyFingerprint, fingerprint52 } from '../../../services/detector/src/domain/fingerprint.js';

const body = (type: string, atMs: number, minor: number, currency: string, from: string, to: string) =>
  `${type}|${atMs}|${minor}|${currency}|${from}|${to}`;

describe('bodyFingerprint', () => {
  it('equals fingerprint52 of the joined body, for any times, amounts and parties', () => {
    const amount = fc.oneof(
      fc.integer({ min: 0, max: 1_000 }),
      fc.maxSafeNat(),
      fc.double({ noNaN: true }),
      fc.constantFrom(0, 10, 100, 1e15, 2 ** 53, 1e21, -1, 0.5),
    );
    const time = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), amount);
    fc.assert(
      fc.property(
        fc.constantFrom('deposit', 'transfer', 'payment', 'withdrawal'),
        time,
        amount,
        fc.string({ minLength: 3, maxLength: 3 }),
        fc.string({ maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (type, atMs, minor, currency, from, to) => {
          expect(bodyFingerprint(type, atMs, minor, currency, from, to)).toBe(
            fingerprint52(body(type, atMs, minor, currency, from, to)),
          );
        },
      ),
      { numRuns: 2_000, seed: 20261127 },
    );
  });

  it('gives the values stored before it existed (fingerprint52 of 798e453)', () => {
    // Stored rings hold these numbers: a change to either function must not move them.
    expect(fingerprint52('deposit|1780000000000|15000|RUB|ref:card-1|w-1')).toBe(2410237458007331);
    expect(bodyFingerprint('deposit', 1_780_000_000_000, 15_000, 'RUB', 'ref:card-1', 'w-1')).toBe(
      2410237458007331,
    );
    expect(fingerprint52('evt-42')).toBe(2786225212266991);
    expect(fingerprint52('')).toBe(605104973549568);
  });

  it('tells bodies apart that differ in one digit or one party', () => {
    const base = bodyFingerprint('deposit', 1_780_000_000_000, 15_000, 'RUB', 'ref:card-1', 'w-1');
    expect(bodyFingerprint('deposit', 1_780_000_000_000, 15_001, 'RUB', 'ref:card-1', 'w-1')).not.toBe(base);
    expect(bodyFingerprint('deposit', 1_780_000_000_001, 15_000, 'RUB', 'ref:card-1', 'w-1')).not.toBe(base);
    expect(bodyFingerprint('deposit', 1_780_000_000_000, 15_000, 'RUB', 'ref:card-2', 'w-1')).not.toBe(base);
  });
});
