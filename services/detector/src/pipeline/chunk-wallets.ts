// The wallets one chunk works on: loaded once, changed in memory event by event, written once.
import type { FeatureConfig } from '../config/index.js';
import { WalletView } from '../state/window-view.js';
import type { WalletStateStore } from '../state/wallet-state-store.js';
import type { WalletState } from '../state/wallet-state.js';

export interface ChunkWallet {
  state: WalletState;
  view: WalletView;
  /** Changed since it was loaded: it must be written. */
  dirty: boolean;
}

export class ChunkWallets {
  private readonly wallets = new Map<string, ChunkWallet>();

  constructor(
    private readonly store: WalletStateStore,
    private readonly features: FeatureConfig,
  ) {}

  /** Loads the wallets not loaded yet (one round trip). */
  async load(walletIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(walletIds)].filter((id) => !this.wallets.has(id));
    if (!missing.length) return;
    const states = await this.store.load(missing);
    for (const id of missing) {
      const state = states.get(id)!;
      this.wallets.set(id, { state, view: new WalletView(state, this.features), dirty: false });
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
    return [...this.wallets.values()].filter((w) => w.dirty).map((w) => w.state);
  }
}
