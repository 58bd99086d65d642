// A validated transaction in the form the pipeline uses: times in epoch ms, money in base minor units.
import type { TransactionEvent } from '../../../../schemas/transaction-event.js';

export type Direction = 'in' | 'out';

export interface NormalizedEvent {
  eventId: string;
  type: TransactionEvent['type'];
  occurredAtMs: number;
  /** Amount converted to base-currency minor units. */
  amount: number;
  /** Wallet id, or the outside payer's reference prefixed "ref:". */
  from: string;
  fromWalletId: string | undefined;
  to: string;
  toWalletId: string | undefined;
  fromOpenedAtMs: number | undefined;
  toOpenedAtMs: number | undefined;
}

/** One wallet's side of a transaction: a transfer between two wallets yields two of these. */
export interface WalletUpdate {
  walletId: string;
  direction: Direction;
  counterparty: string;
  openedAtMs: number | undefined;
  event: NormalizedEvent;
}

export function walletUpdatesOf(event: NormalizedEvent): WalletUpdate[] {
  const updates: WalletUpdate[] = [];
  if (event.toWalletId !== undefined) {
    updates.push({
      walletId: event.toWalletId,
      direction: 'in',
      counterparty: event.from,
      openedAtMs: event.toOpenedAtMs,
      event,
    });
  }
  if (event.fromWalletId !== undefined) {
    updates.push({
      walletId: event.fromWalletId,
      direction: 'out',
      counterparty: event.to,
      openedAtMs: event.fromOpenedAtMs,
      event,
    });
  }
  return updates;
}
