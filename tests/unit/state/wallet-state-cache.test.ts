// The cache hands a state to one taker only, forgets the least recently stored first, and never
// serves an entry idle too long or one kept before a clear (a Redis that went away).
import { describe, expect, it } from 'vitest';
import { WalletStateCache } from '../../../services/detector/src/state/wallet-state-cache.js';
import { emptyWalletState } from '../../../services/detector/src/state/wallet-state.js';

const state = (id: string) => emptyWalletState(id, 300_000);

describe('wallet state cache', () => {
  it('gives a kept state to the first taker only', () => {
    const cache = new WalletStateCache({ maxEntries: 10, maxIdleMs: 1_000 });
    const s = state('w1');
    cache.put(s);
    expect(cache.take('w1')).toBe(s);
    expect(cache.take('w1')).toBeUndefined();
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
  });

  it('evicts the least recently kept beyond its size, and keeps nothing at size 0', () => {
    const cache = new WalletStateCache({ maxEntries: 2, maxIdleMs: 1_000 });
    for (const id of ['a', 'b', 'a', 'c']) cache.put(state(id));
    expect(cache.take('b')).toBeUndefined();
    expect(cache.take('a')?.walletId).toBe('a');
    expect(cache.take('c')?.walletId).toBe('c');
    const off = new WalletStateCache({ maxEntries: 0, maxIdleMs: 1_000 });
    off.put(state('a'));
    expect(off.size).toBe(0);
  });

  it('does not serve an entry idle too long, nor one kept before a clear', () => {
    let now = 0;
    const cache = new WalletStateCache({ maxEntries: 10, maxIdleMs: 1_000, now: () => now });
    cache.put(state('old'));
    cache.put(state('cleared'));
    now = 1_001;
    expect(cache.take('old')).toBeUndefined();
    cache.clear();
    expect(cache.take('cleared')).toBeUndefined();
  });
});
