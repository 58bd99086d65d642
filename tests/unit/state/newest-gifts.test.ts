import { describe, expect, it } from 'vitest';
import { newestGifts } from '../../../services/detector/src/state/donor-index.js';

describe('newestGifts', () => {
  it('sends one gift per payer and wallet, the newest, whatever the order they came in', () => {
    const gifts = [
      { payer: 'ref:a', walletId: 'w-1', atMs: 10 },
      { payer: 'ref:a', walletId: 'w-2', atMs: 11 },
      { payer: 'ref:a', walletId: 'w-1', atMs: 30 },
      { payer: 'ref:b', walletId: 'w-1', atMs: 12 },
      { payer: 'ref:a', walletId: 'w-1', atMs: 20 },
    ];
    expect(newestGifts(gifts)).toEqual([
      { payer: 'ref:a', walletId: 'w-1', atMs: 30 },
      { payer: 'ref:a', walletId: 'w-2', atMs: 11 },
      { payer: 'ref:b', walletId: 'w-1', atMs: 12 },
    ]);
  });

  it('does not take a payer and a wallet whose names run together for another pair', () => {
    const gifts = [
      { payer: 'ref:ab', walletId: 'c', atMs: 1 },
      { payer: 'ref:a', walletId: 'bc', atMs: 2 },
    ];
    expect(newestGifts(gifts)).toHaveLength(2);
  });
});
