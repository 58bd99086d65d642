// The flat counterparty set against a map of one object per counterparty (what it replaced): the
// same figures, and the same order (a counterparty paying again at or after its latest payment moves
// to the end), whatever the adds, payments and removals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CounterpartySet } from '../../../services/detector/src/state/counterparty-set.js';
import type { Counterparty } from '../../../services/detector/src/state/wallet-state.js';

const T0 = Date.UTC(2026, 10, 1);
const op = fc.record({
  kind: fc.constantFrom('pay', 'pay', 'pay', 'remove'),
  id: fc.nat(25),
  t: fc.integer({ min: T0, max: T0 + 1_000_000 }),
  amount: fc.integer({ min: 1, max: 1_000_000 }),
});

describe('counterparty set', () => {
  it('holds what a map of counterparties holds, in the same order, under payments and removals', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const set = new CounterpartySet();
        const model = new Map<string, Counterparty>();
        for (const { kind, id: n, t, amount } of ops) {
          const id = `ref:card-${n}`;
          if (kind === 'remove') {
            expect(set.delete(id)).toBe(model.delete(id));
            continue;
          }
          const held = model.get(id);
          const slot = set.slotOf(id);
          expect(slot >= 0).toBe(held !== undefined);
          if (!held) {
            model.set(id, { firstMs: t, lastMs: t, count: 1, sum: amount });
            set.add(id, t, t, 1, amount);
            continue;
          }
          held.firstMs = Math.min(held.firstMs, t);
          held.count += 1;
          held.sum += amount;
          if (t >= held.lastMs) {
            held.lastMs = t;
            model.delete(id);
            model.set(id, held);
          }
          set.paid(slot, id, t, amount);
        }
        expect([...set]).toEqual([...model]);
        expect(set.size).toBe(model.size);
        for (const [id, c] of model) expect(set.lastMsOf(id)).toBe(c.lastMs);
        const last: number[] = [];
        const first: number[] = [];
        const repeatLast: number[] = [];
        const repeatFirst: number[] = [];
        set.collectTimes(last, first, repeatLast, repeatFirst);
        const held = [...model.values()];
        const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
        expect(sorted(last)).toEqual(sorted(held.map((c) => c.lastMs)));
        expect(sorted(first)).toEqual(sorted(held.map((c) => c.firstMs)));
        expect(sorted(repeatLast)).toEqual(sorted(held.filter((c) => c.count > 1).map((c) => c.lastMs)));
        expect(sorted(repeatFirst)).toEqual(sorted(held.filter((c) => c.count > 1).map((c) => c.firstMs)));
      }),
    );
  });
});
