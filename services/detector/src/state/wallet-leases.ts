// Which wallets a chunk of this process works on right now. Chunks of different partitions run
// concurrently; two that load the same wallet both change it and one loses the compare-and-set and runs
// again whole. A chunk therefore takes the lease of its wallets first: all of them at once or none,
// waiting while another chunk holds any of them. All-or-nothing cannot deadlock; waiters are served
// in arrival order among those that overlap, so a chunk with many wallets is not starved by small ones.
// Writers in other processes are still caught by the compare-and-set; this only spares the re-runs
// that two partitions of one process would cause each other.
//
// The leases also bound how many wallets this process works on at once (maxHeld): every leased wallet
// is a decoded state, and the chunk's records beside it, alive until the chunk's write. Unbounded, every
// assigned partition (up to eight) has a chunk in flight, and a chunk of a large population catching
// up holds ~13,000 states. A chunk waits until its wallets fit beside those held; one larger than the
// bound runs alone. Waiting for room is first come, first served, so a large chunk is not starved.

interface Waiter {
  ids: Set<string>;
  grant: () => void;
}

export class WalletLease {
  private released = false;

  constructor(
    private readonly leases: WalletLeases,
    readonly held: Set<string>,
  ) {}

  /** Takes the wallets no other chunk holds (never waits); returns those now held by this lease. */
  extend(ids: Iterable<string>): string[] {
    if (this.released) return [];
    const taken = this.leases.takeFree(ids);
    for (const id of taken) this.held.add(id);
    return taken;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.leases.give(this.held);
  }
}

export class WalletLeases {
  private readonly held = new Set<string>();
  private waiters: Waiter[] = [];
  /** Some waiter waits for room (not for its wallets): later chunks queue behind it. */
  private roomAwaited = false;

  /** `maxHeld`: the wallets all leases may hold together (a lease larger than that is granted alone). */
  constructor(private readonly maxHeld = Number.POSITIVE_INFINITY) {}

  /** Waits until none of `ids` is held and they fit beside those that are, then holds them all. */
  async acquire(ids: Iterable<string>): Promise<WalletLease> {
    const wanted = new Set(ids);
    const fits = this.fits(wanted);
    if (fits && !this.roomAwaited && !this.anyHeld(wanted) && !this.anyWaitedFor(wanted)) {
      return this.grant(wanted);
    }
    if (!fits) this.roomAwaited = true;
    await new Promise<void>((resolve) => this.waiters.push({ ids: wanted, grant: resolve }));
    return new WalletLease(this, new Set(wanted));
  }

  /** Wallets held by some chunk of this process (for metrics and tests). */
  get size(): number {
    return this.held.size;
  }

  /** @internal the free ones of `ids`, now held. */
  takeFree(ids: Iterable<string>): string[] {
    const taken: string[] = [];
    for (const id of ids) {
      if (this.held.has(id) || this.waitedFor(id)) continue;
      this.held.add(id);
      taken.push(id);
    }
    return taken;
  }

  /** @internal */
  give(ids: Iterable<string>): void {
    for (const id of ids) this.held.delete(id);
    this.serveWaiters();
  }

  private grant(ids: Set<string>): WalletLease {
    for (const id of ids) this.held.add(id);
    return new WalletLease(this, new Set(ids));
  }

  /** Room for these beside the wallets held (always, when none is held). */
  private fits(ids: Set<string>): boolean {
    return this.held.size === 0 || this.held.size + ids.size <= this.maxHeld;
  }

  private anyHeld(ids: Set<string>): boolean {
    for (const id of ids) if (this.held.has(id)) return true;
    return false;
  }

  private anyWaitedFor(ids: Set<string>): boolean {
    if (!this.waiters.length) return false;
    for (const id of ids) if (this.waitedFor(id)) return true;
    return false;
  }

  private waitedFor(id: string): boolean {
    return this.waiters.some((w) => w.ids.has(id));
  }

  private serveWaiters(): void {
    // A waiter is served when its wallets are free and no earlier waiter still waiting wants any of them.
    // Overlap with those earlier waiters is looked up set against set: collecting their wallets into one
    // set cost an insert per wallet of every blocked waiter on every release (a few percent of the CPU
    // with four partitions of 5,000-record chunks).
    const still: Waiter[] = [];
    let roomAwaited = false;
    for (const waiter of this.waiters) {
      if (
        roomAwaited ||
        this.anyHeld(waiter.ids) ||
        still.some((earlier) => overlaps(earlier.ids, waiter.ids))
      ) {
        still.push(waiter);
        continue;
      }
      if (!this.fits(waiter.ids)) {
        // The first that does not fit holds the queue: every later waiter is served after it.
        roomAwaited = true;
        still.push(waiter);
        continue;
      }
      for (const id of waiter.ids) this.held.add(id);
      waiter.grant();
    }
    this.waiters = still;
    this.roomAwaited = roomAwaited;
  }
}

function overlaps(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const id of small) if (large.has(id)) return true;
  return false;
}
