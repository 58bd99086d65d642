// The flat bucket series against a map of one array per bucket (what it replaced): the same buckets,
// the same sums and maxima, in index order, whatever order the events and trims come in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addToSeries,
  bucketsOf,
  dropBefore,
  emptySeries,
  firstAtOrAfter,
  positionOf,
} from '../../../services/detector/src/state/bucket-series.js';
import { BUCKET_FIELDS, FIELD } from '../../../services/detector/src/state/wallet-state.js';

const W = BUCKET_FIELDS.length;
const contribution = fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: W, maxLength: W });
const op = fc.oneof(
  { arbitrary: fc.record({ add: fc.integer({ min: 0, max: 60 }), values: contribution }), weight: 5 },
  { arbitrary: fc.record({ dropBefore: fc.integer({ min: 0, max: 60 }) }), weight: 1 },
);

describe('bucket series', () => {
  it('holds what a map of buckets holds, in index order, under adds (late ones too) and trims', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const series = emptySeries(60_000);
        const model = new Map<number, number[]>();
        for (const o of ops) {
          if ('add' in o) {
            addToSeries(series, o.add, o.values);
            const held = model.get(o.add);
            // The merge rule written out again, not the code's own: sums, and the largest inMax.
            if (held) {
              o.values.forEach((v, f) => {
                held[f] = f === FIELD.inMax ? Math.max(held[f]!, v) : held[f]! + v;
              });
            } else model.set(o.add, o.values.slice());
          } else {
            dropBefore(series, o.dropBefore);
            for (const index of model.keys()) if (index < o.dropBefore) model.delete(index);
          }
        }
        const sorted = [...model].sort(([a], [b]) => a - b);
        expect([...bucketsOf(series)]).toEqual(sorted);
        for (let index = -1; index <= 61; index++) {
          const at = positionOf(series, index);
          expect(at >= 0).toBe(model.has(index));
          expect(firstAtOrAfter(series, index)).toBe(sorted.filter(([i]) => i < index).length);
        }
      }),
    );
  });

  it('keeps the largest single amount as a maximum and saturates sums', () => {
    const series = emptySeries(60_000);
    const values = (inSum: number) =>
      BUCKET_FIELDS.map((_, f) => (f === FIELD.inSum || f === FIELD.inMax ? inSum : 0));
    addToSeries(series, 7, values(Number.MAX_SAFE_INTEGER - 5));
    addToSeries(series, 7, values(100));
    const [bucket] = bucketsOf(series).values();
    expect(bucket![FIELD.inSum]).toBe(Number.MAX_SAFE_INTEGER);
    expect(bucket![FIELD.inMax]).toBe(Number.MAX_SAFE_INTEGER - 5);
  });
});
