// The wallets one chunk works on: loaded once, changed in memory event by event, written once.
// The first load takes the lease of the chunk's wallets in this process (waiting for another chunk that
// holds some of them) and takes their states from the cache where it has them; wallets added later
// (a retro search's candidates) are leased only if free, else read from Redis and left to the
// compare-and-set. After a successful write the leased states written with a long enough time-to-live
// (or taken from the cache and unchanged) go back to it; release() always follows, whatever happened.
import type { FeatureConfig } from '../config/index.js';
import type { WalletLease, WalletLeases } from '../state/wallet-leases.js';
import type { WalletStateCache } from '../state/wallet-state-cache.js';
import type { WalletStateStore } from '../state/wallet-state-store.js';
import type { JournalEntry } from '../state/wallet-journal.js';
import type { WalletState } from '../state/wallet-state.js';
import { WalletView } from '../state/window-view.js';

export interface ChunkWallet {
  state: WalletState;
  view: WalletView;
  /**
   * The changes since the load (or the last write) as journal entries to append to the stored record:
   * empty while there are none, null once a change the journal cannot carry was made and the record
   * is written whole.
   */
  journal: JournalEntry[] | null;
  /**
   * When the record equal to `state` was written with a time-to-live the cache can trust (null: read
   * from Redis, or written with a shorter one): only such states go back to the cache.
   */
  writtenAtMs: number | null;
}

/** What ChunkWallets needs: the store, and this process's leases and cache. */
export interface WalletSources {
  store: WalletStateStore;
  leases: WalletLeases;
  cache: WalletStateCache;
  config: { features: FeatureConfig };
}

/** Changed since it was loaded or last written: it must be written. */
export function isDirty(wallet: ChunkWallet): boolean {
  return wallet.journal === null || wallet.journal.length > 0;
}

/** A change only a whole record carries (alerting, overlap, flags, pending items, …). */
export function markChanged(wallet: ChunkWallet): void {
  wallet.journal = null;
}

/** A change the journal carries: a side applied, or a duplicate's watermark moved. */
export function markJournaled(wallet: ChunkWallet, entry: JournalEntry): void {
  wallet.journal?.push(entry);
}

export class ChunkWallets {
  private readonly wallets = new Map<string, ChunkWallet>();
  private lease: WalletLease | null = null;
  private released = false;

  constructor(private readonly sources: WalletSources) {}

  /** Loads the wallets not loaded yet (at most one round trip). */
  async load(walletIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(walletIds)].filter((id) => !this.wallets.has(id));
    if (!missing.length) return;
    const { leases, cache, store } = this.sources;
    let leased: Iterable<string>;
    if (this.lease === null) {
      if (this.released) throw new Error('the wallets of this chunk were released');
      this.lease = await leases.acquire(missing);
      leased = missing;
    } else leased = this.lease.extend(missing);
    const unread = new Set(missing);
    for (const id of leased) {
      const cached = cache.take(id);
      if (!cached) continue;
      this.add(cached.state, cached.writtenAtMs);
      unread.delete(id);
    }
    if (!unread.size) return;
    const states = await store.load([...unread]);
    for (const id of unread) this.add(states.get(id)!, null);
  }

  /** Reads these wallets again from Redis (their compare-and-set lost). */
  async reload(walletIds: string[]): Promise<void> {
    for (const id of walletIds) this.wallets.delete(id);
    const states = await this.sources.store.load(walletIds);
    for (const id of walletIds) this.add(states.get(id)!, null);
  }

  /**
   * These states were stored at `atMs` with the time-to-live each has in `ttlMsOf`: they are clean, and
   * may go to the cache if that time-to-live outlasts a cache entry.
   */
  written(states: WalletState[], atMs: number, ttlMsOf: (state: WalletState) => number): void {
    const trusted = this.sources.cache.maxIdleMs;
    for (const state of states) {
      const wallet = this.get(state.walletId);
      wallet.journal = [];
      wallet.writtenAtMs = ttlMsOf(state) >= trusted ? atMs : null;
    }
  }

  get(walletId: string): ChunkWallet {
    const wallet = this.wallets.get(walletId);
    if (!wallet) throw new Error(`wallet ${walletId} was not loaded for this chunk`);
    return wallet;
  }

  has(walletId: string): boolean {
    return this.wallets.has(walletId);
  }

  all(): IterableIterator<ChunkWallet> {
    return this.wallets.values();
  }

  dirty(): WalletState[] {
    return [...this.wallets.values()].filter(isDirty).map((w) => w.state);
  }

  /** The journal entries to append for a dirty wallet, or null when it is written whole. */
  journalOf(walletId: string): JournalEntry[] | null {
    return this.wallets.get(walletId)?.journal ?? null;
  }

  /**
   * After a write that stored every dirty wallet but `conflicts`: the leased states are now the stored
   * ones, and go back to the cache for the next chunk.
   */
  keep(conflicts: Iterable<string> = []): void {
    if (!this.lease || this.released) return;
    const lost = new Set(conflicts);
    for (const id of this.lease.held) {
      const wallet = this.wallets.get(id);
      if (!wallet || lost.has(id) || isDirty(wallet) || wallet.writtenAtMs === null) continue;
      this.sources.cache.put(wallet.state, wallet.writtenAtMs);
    }
  }

  /** Gives up the lease; the states stay usable by this chunk but no longer go to the cache. */
  release(): void {
    this.released = true;
    this.lease?.release();
  }

  private add(state: WalletState, writtenAtMs: number | null): void {
    this.wallets.set(state.walletId, {
      state,
      view: new WalletView(state, this.sources.config.features),
      journal: [],
      writtenAtMs,
    });
  }
}
