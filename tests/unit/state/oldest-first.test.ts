// The eviction order of a counterparty set: always the entry with the smallest lastMs, however entries
// joined, paid again (their lastMs grew) or left.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OldestFirst } from '../../../services/detector/src/state/oldest-first.js';

type Op = { kind: 'add' | 'touch' | 'evict'; id: number; ms: number };

describe('oldest-first order', () => {
  it('pops the entry with the smallest lastMs, as a full scan would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(30), fc.nat(200)), { maxLength: 40 }),
        fc.array(
          fc.record({
            kind: fc.constantFrom<Op['kind']>('add', 'touch', 'touch', 'evict'),
            id: fc.nat(60),
            ms: fc.nat(300),
          }),
          { maxLength: 200 },
        ),
        (initial, ops) => {
          const set = new Map<string, { lastMs: number }>();
          for (const [id, ms] of initial) set.set(`p${id}`, { lastMs: ms });
          // What the heap reads of a counterparty set.
          const latest = { keys: () => set.keys(), lastMsOf: (id: string) => set.get(id)?.lastMs };
          const order = OldestFirst.of(latest);
          for (const op of ops) {
            const id = `p${op.id}`;
            const held = set.get(id);
            if (op.kind === 'add' && !held) {
              set.set(id, { lastMs: op.ms });
              order.push(id, op.ms);
            } else if (op.kind === 'touch' && held) {
              held.lastMs = Math.max(held.lastMs, op.ms);
            } else if (op.kind === 'evict' && set.size > 0) {
              const smallest = Math.min(...[...set.values()].map((c) => c.lastMs));
              const popped = order.popOldest(latest)!;
              expect(set.get(popped)!.lastMs).toBe(smallest);
              set.delete(popped);
            }
            expect(order.size).toBe(set.size);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
