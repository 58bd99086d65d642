// The wallets one chunk works on: loaded once, changed in memory event by event, written once.
// The first load takes the lease of the chunk's wallets in this process (waiting for another chunk that
// holds some of them) and takes their states from the cache where it has them; wallets added later
// (a retro search's candidates) are leased only if free, else read from Redis and left to the
// compare-and-set. After a successful write the leased states go back to the cache; release() always
// follows, whatever happened.
import type { FeatureConfig } from '../config/index.js';
import type { WalletLease, WalletLeases } from '../state/wallet-leases.js';
import type { WalletStateCache } from '../state/wallet-state-cache.js';
import type { WalletStateStore } from '../state/wallet-state-store.js';
import type { WalletState } from '../state/wallet-state.js';
import { WalletView } from '../state/window-view.js';

export interface ChunkWallet {
  state: WalletState;
  view: WalletView;
  /** Changed since it was loaded: it must be written. */
  dirty: boolean;
}

/** What ChunkWallets needs: the store, and this process's leases and cache. */
export interface WalletSources {
  store: WalletStateStore;
  leases: WalletLeases;
  cache: WalletStateCache;
  config: { features: FeatureConfig };
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
      const state = cache.take(id);
      if (!state) continue;
      this.add(state);
      unread.delete(id);
    }
    if (!unread.size) return;
    const states = await store.load([...unread]);
    for (const id of unread) this.add(states.get(id)!);
  }

  /** Reads these wallets again from Redis (their compare-and-set lost). */
  async reload(walletIds: string[]): Promise<void> {
    for (const id of walletIds) this.wallets.delete(id);
    const states = await this.sources.store.load(walletIds);
    for (const id of walletIds) this.add(states.get(id)!);
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
    return [...this.wallets.values()].filter((w) => w.dirty).map((w) => w.state);
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
      if (!wallet || lost.has(id) || wallet.dirty) continue;
      this.sources.cache.put(wallet.state);
    }
  }

  /** Gives up the lease; the states stay usable by this chunk but no longer go to the cache. */
  release(): void {
    this.released = true;
    this.lease?.release();
  }

  private add(state: WalletState): void {
    this.wallets.set(state.walletId, {
      state,
      view: new WalletView(state, this.sources.config.features),
      dirty: false,
    });
  }
}
