// The cache hands a state to one taker only, forgets the least recently kept first once its heap
// budget is spent, never keeps one state that would take a large share of it, and never serves an
// entry idle too long or one kept before a clear (a Redis that went away).
import { describe, expect, it } from 'vitest';
import {
  estimatedHeapBytes,
  WalletStateCache,
} from '../../../services/detector/src/state/wallet-state-cache.js';
import { emptyWalletState } from '../../../services/detector/src/state/wallet-state.js';
import { WalletView } from '../../../services/detector/src/state/window-view.js';
import { featureConfig, feed, sideOf } from '../../support/wallet-sides.js';

const state = (id: string) => emptyWalletState(id, 300_000);
const EMPTY = estimatedHeapBytes(state('x'));

describe('wallet state cache', () => {
  it('keeps a state without its window tracker, whose windows read the same once rebuilt', () => {
    const features = featureConfig();
    const s = emptyWalletState('w-view', features.fineBucketMs);
    const t0 = Date.UTC(2026, 10, 1);
    feed(
      s,
      Array.from({ length: 12 }, (_, i) =>
        sideOf('w-view', {
          eventId: `e${i}`,
          atMs: t0 + i * 600_000,
          from: `ref:card-${i % 5}`,
          to: 'w-view',
          offset: i,
        }),
      ),
      features,
    );
    const before = new WalletView(s, features).windows().map((w) => ({ ...w }));
    expect(s.memo.listener).not.toBeNull();
    const cache = new WalletStateCache({ maxBytes: 1e6, maxIdleMs: 1_000, now: () => 0 });
    cache.put(s, 0);
    // Held without the tracker's ~5 KB of running figures.
    expect(s.memo.listener).toBeNull();
    const taken = cache.take('w-view')!.state;
    expect(new WalletView(taken, features).windows()).toEqual(before);
  });

  it('gives a kept state to the first taker only', () => {
    const cache = new WalletStateCache({ maxBytes: 1e6, maxIdleMs: 1_000, now: () => 0 });
    const s = state('w1');
    cache.put(s, 0);
    expect(cache.take('w1')?.state).toBe(s);
    expect(cache.take('w1')).toBeUndefined();
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
    expect(cache.bytes).toBe(0);
  });

  it('evicts the least recently kept beyond its budget, and keeps nothing with a budget of 0', () => {
    const cache = new WalletStateCache({ maxBytes: 64 * EMPTY, maxIdleMs: 1_000, now: () => 0 });
    const ids = Array.from({ length: 64 }, (_, i) => `w${i}`);
    for (const id of ids) cache.put(state(id), 0);
    expect(cache.size).toBe(64);
    // w0 is kept again, so w1 is now the least recently kept. One more state takes the cache past its
    // budget, and the oldest go at once until a 32nd of it (two states' worth) is free: three.
    cache.put(state('w0'), 0);
    cache.put(state('new'), 0);
    expect(cache.size).toBe(62);
    expect(cache.bytes).toBe(62 * EMPTY);
    for (const id of ['w1', 'w2', 'w3']) expect(cache.take(id)).toBeUndefined();
    for (const id of ['w0', 'w4', 'w63', 'new']) expect(cache.take(id)?.state.walletId).toBe(id);
    const off = new WalletStateCache({ maxBytes: 0, maxIdleMs: 1_000 });
    off.put(state('a'), 0);
    expect(off.size).toBe(0);
  });

  it('does not keep a state that would take more than a quarter of the budget', () => {
    const cache = new WalletStateCache({ maxBytes: 4 * EMPTY + 3_999, maxIdleMs: 1_000, now: () => 0 });
    const big = state('big');
    for (let i = 0; i < 20; i++) big.payers.set(`p${i}`, { firstMs: 0, lastMs: 0, count: 1, sum: 1 });
    cache.put(big, 0);
    cache.put(state('small'), 0);
    expect(cache.take('big')).toBeUndefined();
    expect(cache.take('small')?.state.walletId).toBe('small');
  });

  it('serves an entry only within maxIdle of its write, and none kept before a clear', () => {
    let now = 0;
    const cache = new WalletStateCache({ maxBytes: 1e6, maxIdleMs: 1_000, now: () => now });
    cache.put(state('old'), 0);
    cache.put(state('recent'), 500);
    cache.put(state('cleared'), 900);
    now = 1_001;
    expect(cache.take('old')).toBeUndefined();
    // Taken and kept again unchanged, an entry still counts from its write, not from the put.
    const recent = cache.take('recent')!;
    expect(recent.writtenAtMs).toBe(500);
    cache.put(recent.state, recent.writtenAtMs);
    now = 1_501;
    expect(cache.take('recent')).toBeUndefined();
    cache.clear();
    expect(cache.take('cleared')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});
