// A validated transaction in the form the pipeline uses: times in epoch ms, money in base minor units,
// and where it came from (the Kafka record), so effects can be made idempotent per source offset.
import type { TransactionType } from '../../../../schemas/transaction-event.js';

export type { TransactionType } from '../../../../schemas/transaction-event.js';
export type Direction = 'in' | 'out';

/** The Kafka record an event came from. */
export interface EventSource {
  topic: string;
  partition: number;
  /** Kafka offset (Kafka offsets stay far below 2^53). */
  offset: number;
  /** The record's timestamp (producer CreateTime or broker LogAppendTime), epoch ms. */
  timestampMs: number;
  /**
   * The offset watermark's key: the topic's incarnation and the partition ("<incarnation>/<partition>"),
   * so a topic deleted and created again under the same name is not taken for a replay.
   */
  streamKey: string;
}

/** Counterparty key of an outside payer or payee (card, bank account, terminal): "ref:<id>". */
export const REF_PREFIX = 'ref:';

export interface NormalizedEvent {
  eventId: string;
  /** Fingerprint of the eventId (52 bits): the same id sent again as a new record is a duplicate. */
  idHash: number;
  /** Fingerprint of the body's meaning (52 bits): the same id with another body is a conflict. */
  bodyHash: number;
  type: TransactionType;
  occurredAtMs: number;
  /** Amount in base-currency minor units (integer). */
  amount: number;
  /** Wallet id, or the outside party's reference prefixed "ref:". */
  from: string;
  fromWalletId: string | undefined;
  to: string;
  toWalletId: string | undefined;
  /** Opening times the processor sent, only when plausible (not after the event, not before the floor). */
  fromOpenedAtMs: number | undefined;
  toOpenedAtMs: number | undefined;
  channel: string | undefined;
  source: EventSource;
}

/** One wallet's side of a transaction: a transfer between two wallets has two. */
export interface WalletSide {
  walletId: string;
  direction: Direction;
  /** The payer (inbound) or payee (outbound): a wallet id or "ref:<id>". */
  counterparty: string;
  openedAtMs: number | undefined;
  event: NormalizedEvent;
}

export function walletSidesOf(event: NormalizedEvent): WalletSide[] {
  const to = event.toWalletId;
  const from = event.fromWalletId;
  const inbound: WalletSide | null =
    to === undefined
      ? null
      : { walletId: to, direction: 'in', counterparty: event.from, openedAtMs: event.toOpenedAtMs, event };
  const outbound: WalletSide | null =
    from === undefined
      ? null
      : { walletId: from, direction: 'out', counterparty: event.to, openedAtMs: event.fromOpenedAtMs, event };
  // Literal arrays of the exact length: a push onto [] reserves room for 17 elements, per event.
  if (inbound && outbound) return [inbound, outbound];
  if (inbound) return [inbound];
  return outbound ? [outbound] : [];
}

/** Inbound deposits and transfers are money given; an inbound payment is a purchase from a customer. */
export function isDonationLike(type: TransactionType): boolean {
  return type === 'deposit' || type === 'transfer';
}

/** Outbound withdrawals and transfers pass money on; an outbound payment spends it. */
export function isPassingOn(type: TransactionType): boolean {
  return type === 'withdrawal' || type === 'transfer';
}
