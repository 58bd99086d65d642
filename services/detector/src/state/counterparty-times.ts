// A counterparty set's times, kept sorted, so that a window's counterparty figures are a few binary
// searches instead of a pass over the set each time the window's start moves:
//   distinct = #{lastMs ≥ start}   new = #{firstMs ≥ start}   repeat = #{lastMs ≥ start, count > 1}
// ("new" needs no lastMs test: a counterparty's firstMs is never after its lastMs.)
// A past window [start, end) counts those whose first and latest payments bracket it,
// #{firstMs < end, lastMs ≥ start}: those with lastMs ≥ start less those with firstMs ≥ end (whose
// lastMs, never before their firstMs, is past the start too).
// Built from the set at the first count, then kept in step by the set's changes.
import type { CounterpartySet } from './counterparty-set.js';
import type { Counterparty } from './wallet-state.js';

export class CounterpartyTimes {
  private last: number[] | null = null;
  private first: number[] = [];
  private repeatLast: number[] = [];
  private repeatFirst: number[] = [];

  constructor(private readonly set: CounterpartySet) {}

  /** The set changed: `before` left (or changed into `after`), `after` entered. */
  changed(before: Readonly<Counterparty> | undefined, after: Readonly<Counterparty> | undefined): void {
    if (this.last === null) return;
    if (before) {
      remove(this.last, before.lastMs);
      remove(this.first, before.firstMs);
      if (before.count > 1) {
        remove(this.repeatLast, before.lastMs);
        remove(this.repeatFirst, before.firstMs);
      }
    }
    if (after) {
      insert(this.last, after.lastMs);
      insert(this.first, after.firstMs);
      if (after.count > 1) {
        insert(this.repeatLast, after.lastMs);
        insert(this.repeatFirst, after.firstMs);
      }
    }
  }

  /** Counterparties whose latest payment is at or after `startMs`. */
  distinctFrom(startMs: number): number {
    const last = this.sorted();
    return last.length - lowerBound(last, startMs);
  }

  /** Counterparties whose first payment is at or after `startMs` (new in a window starting there). */
  freshFrom(startMs: number): number {
    this.sorted();
    return this.first.length - lowerBound(this.first, startMs);
  }

  /** Counterparties that paid more than once, the latest time at or after `startMs`. */
  repeatFrom(startMs: number): number {
    this.sorted();
    return this.repeatLast.length - lowerBound(this.repeatLast, startMs);
  }

  /** Counterparties whose first payment is before `endMs` and latest at or after `startMs` (< endMs). */
  bracketing(startMs: number, endMs: number): number {
    return this.distinctFrom(startMs) - this.freshFrom(endMs);
  }

  /** Of those bracketing [startMs, endMs), the ones that paid more than once. */
  repeatBracketing(startMs: number, endMs: number): number {
    this.sorted();
    return this.repeatFrom(startMs) - (this.repeatFirst.length - lowerBound(this.repeatFirst, endMs));
  }

  private sorted(): number[] {
    return this.last ?? this.build();
  }

  private build(): number[] {
    const last: number[] = [];
    this.first = [];
    this.repeatLast = [];
    this.repeatFirst = [];
    this.set.collectTimes(last, this.first, this.repeatLast, this.repeatFirst);
    sortAscending(last);
    sortAscending(this.first);
    sortAscending(this.repeatLast);
    sortAscending(this.repeatFirst);
    this.last = last;
    return last;
  }
}

function ascending(a: number, b: number): number {
  return a - b;
}

/** Sets this small (most wallets') sort in place: Array#sort with a comparator copies the array first. */
const INSERTION_SORT_MAX = 32;

function sortAscending(values: number[]): void {
  if (values.length > INSERTION_SORT_MAX) {
    values.sort(ascending);
    return;
  }
  for (let i = 1; i < values.length; i++) {
    const value = values[i]!;
    let j = i - 1;
    for (; j >= 0 && values[j]! > value; j--) values[j + 1] = values[j]!;
    values[j + 1] = value;
  }
}

/** The first position whose value is ≥ `value`. */
function lowerBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insert(sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value), 0, value);
}

function remove(sorted: number[], value: number): void {
  const at = lowerBound(sorted, value);
  if (sorted[at] === value) sorted.splice(at, 1);
}
