// Wallet states for the state-layer benchmarks: a typical wallet (12 deposits in a day from 6 payers)
// and a busy one (200,000 events: both counterparty sets at the cap, every bucket in use), and the
// events that follow them.
import type { FeatureConfig } from '../../detector/src/config/feature-config.js';
import {
  walletSidesOf,
  type NormalizedEvent,
  type WalletSide,
} from '../../detector/src/domain/transaction.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../detector/src/domain/time.js';
import { applySide, checkSide } from '../../detector/src/state/apply-side.js';
import { emptyWalletState, type WalletState } from '../../detector/src/state/wallet-state.js';

export const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const PARTITIONS = 12;

let offset = 0;

/** One side of an event for `walletId`: inbound from, or outbound to, `counterparty`. */
export function sideFor(
  walletId: string,
  atMs: number,
  counterparty: string,
  amount: number,
  direction: 'in' | 'out' = 'in',
): WalletSide {
  offset += 1;
  const inbound = direction === 'in';
  const event: NormalizedEvent = {
    eventId: `ev-${offset}`,
    idHash: offset * 7_919,
    bodyHash: offset * 104_729,
    type: inbound ? 'deposit' : 'withdrawal',
    occurredAtMs: atMs,
    amount,
    from: inbound ? counterparty : walletId,
    fromWalletId: inbound ? undefined : walletId,
    to: inbound ? walletId : counterparty,
    toWalletId: inbound ? walletId : undefined,
    fromOpenedAtMs: undefined,
    toOpenedAtMs: inbound ? T0 - 30 * DAY_MS : undefined,
    channel: undefined,
    source: {
      topic: 'payments.transactions',
      partition: offset % PARTITIONS,
      offset,
      timestampMs: atMs,
      streamKey: `inc1/${offset % PARTITIONS}`,
    },
  };
  return walletSidesOf(event).find((s) => s.walletId === walletId)!;
}

export function applyAll(state: WalletState, sides: WalletSide[], features: FeatureConfig): void {
  for (const s of sides) if (checkSide(state, s) === 'new') applySide(state, s, features);
}

export function typicalWallet(walletId: string, features: FeatureConfig): WalletState {
  const state = emptyWalletState(walletId, features.fineBucketMs);
  const sides = Array.from({ length: 12 }, (_, i) =>
    sideFor(walletId, T0 + i * 2 * HOUR_MS, `ref:card-${400_000 + (i % 6)}`, 30_000 + i * 1_700),
  );
  applyAll(state, sides, features);
  return state;
}

export function busyWallet(walletId: string, features: FeatureConfig): WalletState {
  const state = emptyWalletState(walletId, features.fineBucketMs);
  const events = 200_000;
  for (let i = 0; i < events; i++) {
    const at = T0 - 20 * DAY_MS + Math.floor((i * 20 * DAY_MS) / events);
    const side =
      i % 4 === 3
        ? sideFor(walletId, at, `ref:bank-${i % 5_000}`, 50_000 + (i % 977) * 100, 'out')
        : sideFor(
            walletId,
            at,
            i % 2 ? `ref:card-${i % 50_000}` : `w-${i % 20_000}`,
            10_000 + (i % 1_361) * 100,
          );
    applyAll(state, [side], features);
  }
  return state;
}

/** `n` events after the wallet's newest, `spacingMs` apart: half from new payers, a quarter repeat, a quarter out. */
export function nextEvents(state: WalletState, n: number, spacingMs = MINUTE_MS): WalletSide[] {
  return Array.from({ length: n }, (_, i) => {
    const at = state.lastEventMs + (i + 1) * spacingMs;
    if (i % 4 === 3) return sideFor(state.walletId, at, `ref:bank-${i % 300}`, 70_000, 'out');
    const payer = i % 2 ? `ref:new-card-${offset}` : `ref:card-${400_000 + (i % 6)}`;
    return sideFor(state.walletId, at, payer, 25_000 + (i % 13) * 1_000);
  });
}
