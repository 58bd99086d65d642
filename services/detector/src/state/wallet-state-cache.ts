// Wallet states this process wrote (or loaded) last, kept decoded so that the next chunk touching the
// wallet skips the read and the decode. An entry is only ever used by the chunk holding the wallet's
// lease, which takes it out (nobody else sees the object while it changes) and puts it back after its
// write succeeded. An entry may be stale — another process wrote the wallet since — and the compare-
// and-set catches that: the write conflicts, the chunk runs again and reads Redis. What the check
// cannot catch is a version reached again after Redis lost the record (a restart without its data,
// an expiry): the cache is cleared when the Redis connection drops, and an entry idle longer than
// `maxIdleMs` (far below any record's time-to-live) is not used.
import type { WalletState } from './wallet-state.js';

export interface WalletStateCacheOptions {
  /** Entries kept; the least recently used go first. 0 turns the cache off. */
  maxEntries: number;
  maxIdleMs: number;
  now?: () => number;
  /** Told of every take: found (true) or not. */
  onLookup?: (hit: boolean) => void;
}

interface Entry {
  state: WalletState;
  storedAtMs: number;
}

export class WalletStateCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(private readonly options: WalletStateCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The wallet's state at its stored version, removed from the cache (the caller now owns it). */
  take(walletId: string): WalletState | undefined {
    const entry = this.entries.get(walletId);
    if (entry) this.entries.delete(walletId);
    const hit = entry !== undefined && this.now() - entry.storedAtMs <= this.options.maxIdleMs;
    if (hit) this.hits += 1;
    else this.misses += 1;
    this.options.onLookup?.(hit);
    return hit ? entry.state : undefined;
  }

  /** Keeps a state whose `version` is the one stored in Redis this moment. */
  put(state: WalletState): void {
    if (this.options.maxEntries <= 0) return;
    // The derived running figures (state.memo) stay: they check the state's revision before use, as
    // they do between two events of one chunk (tests/unit/state/window-view.test.ts compares both).
    this.entries.delete(state.walletId);
    this.entries.set(state.walletId, { state, storedAtMs: this.now() });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
