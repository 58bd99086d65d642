// A window's counterparty counts from the sorted times must equal a count over the set itself, for
// sets small enough to be sorted by insertion and for larger ones, before and after changes; and so
// must a past window's, whose counterparties bracket it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CounterpartySet } from '../../../services/detector/src/state/counterparty-set.js';
import { CounterpartyTimes } from '../../../services/detector/src/state/counterparty-times.js';
import type { Counterparty } from '../../../services/detector/src/state/wallet-state.js';

const counterparty: fc.Arbitrary<Counterparty> = fc
  .tuple(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 4 }))
  .map(([firstMs, span, count]) => ({ firstMs, lastMs: firstMs + span, count, sum: 100 * count }));

/** A past window of this length ends after each start: its counterparties bracket [start, start + length). */
const PAST_WINDOW_MS = 300;

function counted(set: Map<string, Counterparty>, startMs: number) {
  const all = [...set.values()];
  const endMs = startMs + PAST_WINDOW_MS;
  const bracketing = all.filter((c) => c.firstMs < endMs && c.lastMs >= startMs);
  return {
    distinct: all.filter((c) => c.lastMs >= startMs).length,
    fresh: all.filter((c) => c.firstMs >= startMs).length,
    repeat: all.filter((c) => c.lastMs >= startMs && c.count > 1).length,
    bracketing: bracketing.length,
    repeatBracketing: bracketing.filter((c) => c.count > 1).length,
  };
}

function fromTimes(times: CounterpartyTimes, startMs: number) {
  return {
    distinct: times.distinctFrom(startMs),
    fresh: times.freshFrom(startMs),
    repeat: times.repeatFrom(startMs),
    bracketing: times.bracketing(startMs, startMs + PAST_WINDOW_MS),
    repeatBracketing: times.repeatBracketing(startMs, startMs + PAST_WINDOW_MS),
  };
}

describe('counterparty times', () => {
  it('count as the set does, for small and large sets, after changes too', () => {
    fc.assert(
      fc.property(
        fc.array(counterparty, { maxLength: 80 }),
        fc.array(fc.tuple(fc.nat(100), counterparty), { maxLength: 10 }),
        fc.array(fc.integer({ min: -10, max: 1_600 }), { minLength: 1, maxLength: 5 }),
        (initial, changes, starts) => {
          const set = new Map(initial.map((c, i) => [`p-${i}`, c]));
          const held = new CounterpartySet();
          for (const [id, c] of set) held.set(id, c);
          const times = new CounterpartyTimes(held);
          for (const start of starts) expect(fromTimes(times, start)).toEqual(counted(set, start));
          for (const [which, after] of changes) {
            const id = `p-${which}`;
            const before = set.get(id);
            set.set(id, after);
            held.set(id, after);
            times.changed(before, after);
          }
          for (const start of starts) expect(fromTimes(times, start)).toEqual(counted(set, start));
        },
      ),
      { numRuns: 300 },
    );
  });
});
