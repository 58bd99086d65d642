// Finds the counterparty seen longest ago in O(log n): a min-heap of (lastMs, id) over a set that
// applySide changes. Entries go stale when a counterparty pays again (its lastMs grows); a stale top is
// refreshed when it surfaces, so a touch costs nothing and each stale entry is fixed at most once.

/** What the heap reads of the set: every entry's latest payment, and one entry's. */
export interface LatestPayments {
  keys(): Iterable<string>;
  lastMsOf(id: string): number | undefined;
}

export class OldestFirst {
  private readonly times: number[] = [];
  private readonly ids: string[] = [];

  /** A heap over every entry of `parties` (linear time). */
  static of(parties: LatestPayments): OldestFirst {
    const heap = new OldestFirst();
    for (const id of parties.keys()) {
      heap.ids.push(id);
      heap.times.push(parties.lastMsOf(id)!);
    }
    for (let i = (heap.ids.length >> 1) - 1; i >= 0; i--) heap.siftDown(i);
    return heap;
  }

  get size(): number {
    return this.ids.length;
  }

  /** Adds an entry that just joined the set. */
  push(id: string, lastMs: number): void {
    this.ids.push(id);
    this.times.push(lastMs);
    this.siftUp(this.ids.length - 1);
  }

  /** The held id with the smallest lastMs, taken off the heap (the caller removes it from the set). */
  popOldest(parties: LatestPayments): string | undefined {
    while (this.ids.length > 0) {
      const id = this.ids[0]!;
      const held = parties.lastMsOf(id);
      if (held === undefined) this.removeTop();
      else if (held !== this.times[0]) {
        this.times[0] = held;
        this.siftDown(0);
      } else {
        this.removeTop();
        return id;
      }
    }
    return undefined;
  }

  private removeTop(): void {
    const lastId = this.ids.pop()!;
    const lastTime = this.times.pop()!;
    if (this.ids.length === 0) return;
    this.ids[0] = lastId;
    this.times[0] = lastTime;
    this.siftDown(0);
  }

  private siftUp(at: number): void {
    const { ids, times } = this;
    const id = ids[at]!;
    const time = times[at]!;
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= time) break;
      ids[i] = ids[parent]!;
      times[i] = times[parent]!;
      i = parent;
    }
    ids[i] = id;
    times[i] = time;
  }

  private siftDown(at: number): void {
    const { ids, times } = this;
    const n = ids.length;
    const id = ids[at]!;
    const time = times[at]!;
    let i = at;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && times[child + 1]! < times[child]!) child += 1;
      if (times[child]! >= time) break;
      ids[i] = ids[child]!;
      times[i] = times[child]!;
      i = child;
    }
    ids[i] = id;
    times[i] = time;
  }
}
