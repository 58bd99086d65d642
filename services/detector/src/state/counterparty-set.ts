// A wallet's payers (or payees), flat: each counterparty's figures lie in one list of numbers, four a
// counterparty (first and latest payment, count, sum), at the slot a map from its id gives. An object
// per counterparty, with its two times boxed (event times are not small integers), was three heap
// objects each: the largest share of an ordinary cached wallet's objects once the buckets were flat.
// The map keeps the order the record is written in: a counterparty that pays again, at or after its
// latest payment, moves to the end, so the set stays roughly in order of latest payment (and the
// record's time deltas short). Slots are dense (a removal moves the last slot into the gap), so a pass
// over every counterparty's figures reads one array.
import { saturatingAdd } from './bucket-series.js';
import type { Counterparty } from './wallet-state.js';

const FIRST = 0;
const LAST = 1;
const COUNT = 2;
const SUM = 3;
const STRIDE = 4;

export class CounterpartySet implements Iterable<[string, Counterparty]> {
  /** id → slot, in record order. */
  private readonly slots = new Map<string, number>();
  /** slot → id; slots from `held` on are room (a decoded set is made with exactly its size). */
  private ids: string[];
  /** STRIDE numbers a slot: firstMs, lastMs, count, sum. */
  private data: number[];
  private held = 0;

  /** `room`: counterparties to make room for at once (a record's count), so the lists have no spare. */
  constructor(room = 0) {
    this.ids = room > 0 ? new Array<string>(room) : [];
    this.data = room > 0 ? new Array<number>(room * STRIDE) : [];
  }

  get size(): number {
    return this.held;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** The slot of `id`, or -1 when the set does not hold it. */
  slotOf(id: string): number {
    return this.slots.get(id) ?? -1;
  }

  firstMsAt(slot: number): number {
    return this.data[slot * STRIDE + FIRST]!;
  }
  lastMsAt(slot: number): number {
    return this.data[slot * STRIDE + LAST]!;
  }
  countAt(slot: number): number {
    return this.data[slot * STRIDE + COUNT]!;
  }
  sumAt(slot: number): number {
    return this.data[slot * STRIDE + SUM]!;
  }

  /** The latest payment of `id`, or undefined when the set does not hold it. */
  lastMsOf(id: string): number | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.data[slot * STRIDE + LAST]!;
  }

  /** A copy of the figures of `id` (not for the hot path: it allocates). */
  get(id: string): Counterparty | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : this.at(slot);
  }

  /** Adds a counterparty at the end of the order (or replaces one held, in its place). */
  add(id: string, firstMs: number, lastMs: number, count: number, sum: number): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      if (this.held === this.ids.length) this.grow();
      slot = this.held++;
      this.ids[slot] = id;
      this.write(slot, firstMs, lastMs, count, sum);
      this.slots.set(id, slot);
      return;
    }
    this.write(slot, firstMs, lastMs, count, sum);
  }

  /** Map-style: adds or replaces `id` with these figures. */
  set(id: string, c: Readonly<Counterparty>): this {
    this.add(id, c.firstMs, c.lastMs, c.count, c.sum);
    return this;
  }

  /**
   * Records another payment of `amount` at `t` with the counterparty at `slot` (`id`): its count and
   * sum (saturating), an earlier first payment, a later latest one, which moves it to the end of the order.
   */
  paid(slot: number, id: string, t: number, amount: number): void {
    const at = slot * STRIDE;
    const data = this.data;
    if (t < data[at + FIRST]!) data[at + FIRST] = t;
    data[at + COUNT] = data[at + COUNT]! + 1;
    data[at + SUM] = saturatingAdd(data[at + SUM]!, amount);
    if (t >= data[at + LAST]!) {
      data[at + LAST] = t;
      this.slots.delete(id);
      this.slots.set(id, slot);
    }
  }

  delete(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    this.slots.delete(id);
    const last = this.held - 1;
    if (slot !== last) {
      // The last slot moves into the gap; its id keeps its place in the order.
      const moved = this.ids[last]!;
      this.ids[slot] = moved;
      this.write(slot, this.firstMsAt(last), this.lastMsAt(last), this.countAt(last), this.sumAt(last));
      this.slots.set(moved, slot);
    }
    this.held = last;
    this.ids[last] = '';
    return true;
  }

  /**
   * One pass over every counterparty (in slot order): its latest and first payment times appended to
   * `last` and `first`, and to `repeatLast` and `repeatFirst` too when it paid more than once.
   */
  collectTimes(last: number[], first: number[], repeatLast: number[], repeatFirst: number[]): void {
    const d = this.data;
    const end = this.held * STRIDE;
    for (let at = 0; at < end; at += STRIDE) {
      last.push(d[at + LAST]!);
      first.push(d[at + FIRST]!);
      if (d[at + COUNT]! > 1) {
        repeatLast.push(d[at + LAST]!);
        repeatFirst.push(d[at + FIRST]!);
      }
    }
  }

  /** Ids in record order. */
  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  /** [id, slot] in record order (the codec's pass). */
  slotsInOrder(): IterableIterator<[string, number]> {
    return this.slots.entries();
  }

  /** [id, a copy of its figures] in record order (not for the hot path: it allocates). */
  *entries(): IterableIterator<[string, Counterparty]> {
    for (const [id, slot] of this.slots) yield [id, this.at(slot)];
  }

  *values(): IterableIterator<Counterparty> {
    for (const slot of this.slots.values()) yield this.at(slot);
  }

  [Symbol.iterator](): IterableIterator<[string, Counterparty]> {
    return this.entries();
  }

  /**
   * Doubles the room (from 2). A push grows an array by half plus 16 elements, which for the few
   * counterparties most wallets hold was more spare than figures.
   */
  private grow(): void {
    const room = Math.max(2, this.ids.length * 2);
    const ids = new Array<string>(room);
    const data = new Array<number>(room * STRIDE);
    for (let slot = 0; slot < this.held; slot++) ids[slot] = this.ids[slot]!;
    for (let at = 0; at < this.held * STRIDE; at++) data[at] = this.data[at]!;
    this.ids = ids;
    this.data = data;
  }

  /** The figures of the counterparty at `slot`, written into `into` (which it returns). */
  figuresInto(into: Counterparty, slot: number): Counterparty {
    const at = slot * STRIDE;
    const d = this.data;
    into.firstMs = d[at + FIRST]!;
    into.lastMs = d[at + LAST]!;
    into.count = d[at + COUNT]!;
    into.sum = d[at + SUM]!;
    return into;
  }

  private at(slot: number): Counterparty {
    const n = Number.NaN;
    return this.figuresInto({ firstMs: n, lastMs: n, count: n, sum: n }, slot);
  }

  private write(slot: number, firstMs: number, lastMs: number, count: number, sum: number): void {
    const at = slot * STRIDE;
    const d = this.data;
    d[at + FIRST] = firstMs;
    d[at + LAST] = lastMs;
    d[at + COUNT] = count;
    d[at + SUM] = sum;
  }
}
