// Wallet states this process wrote last, kept decoded so that the next chunk touching the wallet skips
// the read and the decode. An entry is only ever used by the chunk holding the wallet's lease, which
// takes it out (nobody else sees the object while it changes) and puts it back after its write
// succeeded. An entry may be stale — another process wrote the wallet since — and the compare-and-set
// catches that: the write conflicts, the chunk runs again and reads Redis. What the check cannot catch
// is a record Redis no longer has (a restart without its data, an expiry), whose version may be
// reached again: the cache is cleared when the Redis connection drops, and an entry is used only within
// `maxIdleMs` of the write that stored it with a time-to-live at least that long — so Redis still
// holds exactly that record, unless another writer changed it (the compare-and-set's case).
import { bucketCount } from './bucket-series.js';
import type { WalletState } from './wallet-state.js';

export interface WalletStateCacheOptions {
  /** Estimated heap the kept states may take; the least recently kept go first. 0 turns the cache off. */
  maxBytes: number;
  maxIdleMs: number;
  now?: () => number;
}

/** A cached state and when the record it equals was written to Redis. */
export interface CachedState {
  state: WalletState;
  writtenAtMs: number;
}

interface Entry extends CachedState {
  bytes: number;
}

/**
 * A decoded state's heap, estimated from what it holds (without a window tracker, which the cache
 * drops), so that the budget holds as many states as it has room for. The weights were fitted to the
 * heap the cache's states really took (Node 20: the difference in heapUsed, after full collections,
 * when the cache was cleared) after the bench's backlogs of 100,000 to 800,000 events on 2,000 to
 * 100,000 wallets: 4.2 KB a state (4 buckets, 3 counterparties, 3 recent ids) to 24.7 KB (56
 * buckets, 47 counterparties, 108 recent ids); the estimate lands within 3 % of each. For busy
 * wallets it stays above the heap: 90 KB measured, 102 KB estimated (105 buckets, 300 counterparties,
 * 512 recent ids); 125 KB and 132 KB (121, 422, 512). The weights
 * before these (3,300 / 150 / 280 / 20 / 100) overstated every state by a fifth, so a 128 MB budget
 * held 105 MB of states: on the bench's 20,000 wallets it kept 14,850 of them, and then 17,850.
 * Since the buckets, samples and counterparties lie flat (state/bucket-series.ts,
 * state/counterparty-set.ts) a bucket counts 95 bytes (was 120), a sample 35 (was 80), a counterparty
 * 215 (was 230) and the fixed part 3,000 (two counterparty sets carry their own lists), refitted the
 * same way: 6.5 KB measured, 6.6 KB estimated (12 buckets, 8 counterparties, 11 recent ids); 11.0
 * and 11.3 KB (29, 18, 33); 20.2 and 22.5 KB (57, 47, 108: busy wallets stay overstated).
 * A recent-id number counts 16 bytes: 8 in its double array, and the array's spare room. A window
 * tracker adds ~5 KB.
 */
export function estimatedHeapBytes(state: WalletState): number {
  let pending = 0;
  for (const p of state.pending.alerts) pending += 2 * p.json.length;
  return (
    3_000 +
    95 * (bucketCount(state.fine) + bucketCount(state.hourly)) +
    215 * (state.payers.size + state.payees.size) +
    16 * state.dedup.recent.length +
    80 * (state.dedup.watermarks.size + state.replacement.overlap.size) +
    35 * state.samples.eventIds.length +
    pending
  );
}

/** An eviction frees this share of the budget at once (see evict). */
const EVICTION_BATCH_SHARE = 32;

export class WalletStateCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private heldBytes = 0;
  /** Takes that found a usable state, and those that did not (the metrics read these). */
  hits = 0;
  misses = 0;

  constructor(private readonly options: WalletStateCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Estimated heap of the kept states. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** How long after its write a state may be used (the least time-to-live a cached record may have). */
  get maxIdleMs(): number {
    return this.options.maxIdleMs;
  }

  /** The wallet's state at its stored version, removed from the cache (the caller now owns it). */
  take(walletId: string): CachedState | undefined {
    const entry = this.entries.get(walletId);
    if (entry) this.remove(walletId, entry);
    const hit = entry !== undefined && this.now() - entry.writtenAtMs <= this.options.maxIdleMs;
    if (hit) this.hits += 1;
    else this.misses += 1;
    return hit ? { state: entry.state, writtenAtMs: entry.writtenAtMs } : undefined;
  }

  /**
   * Keeps a state whose `version` is the one stored in Redis this moment, written at `writtenAtMs`
   * with a time-to-live of at least maxIdleMs.
   */
  put(state: WalletState, writtenAtMs: number): void {
    const held = this.entries.get(state.walletId);
    if (held) this.remove(state.walletId, held);
    // The window tracker (state/window-view.ts) goes: ~5 KB of running figures, two fifths of an
    // ordinary wallet's heap, which the next chunk rebuilds in one pass over the buckets when a rule
    // first asks for a window. Kept (and counted), a 128 MB budget held ~7,300 of the bench's
    // ordinary wallets; without it ~10,800 (by the estimate of then), and a state read and decoded
    // again from Redis costs more than a rebuilt tracker.
    state.memo.listener = null;
    const bytes = estimatedHeapBytes(state);
    if (bytes > this.options.maxBytes / 4) return;
    this.entries.set(state.walletId, { state, bytes, writtenAtMs });
    this.heldBytes += bytes;
    if (this.heldBytes > this.options.maxBytes) this.evict();
  }

  clear(): void {
    this.entries.clear();
    this.heldBytes = 0;
  }

  /**
   * Forgets the least recently kept states until a 32nd of the budget is free, in one walk. A Map
   * keeps the slots of deleted entries until it rehashes, and every new iterator steps over those
   * at its start: evicting one state per put, at capacity, cost ~6 µs a put (15% of the detector's
   * time on a 200,000-wallet backlog) against ~0.2 µs in batches.
   */
  private evict(): void {
    const target = this.options.maxBytes - this.options.maxBytes / EVICTION_BATCH_SHARE;
    for (const [walletId, entry] of this.entries) {
      if (this.heldBytes <= target) break;
      this.remove(walletId, entry);
    }
  }

  private remove(walletId: string, entry: Entry): void {
    this.entries.delete(walletId);
    this.heldBytes -= entry.bytes;
  }
}
