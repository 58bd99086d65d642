// Builders for contract-v1 transaction events used across tests.
import type { TransactionEventInput } from '../../schemas/transaction-event.js';

let counter = 0;
export const HOUR = 3_600_000;
export const MINUTE = 60_000;

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

type Parties = Pick<TransactionEventInput, 'fromWalletId' | 'fromRef' | 'toWalletId' | 'toRef'>;

/** An event with a fresh id; the parties are given, everything else can be overridden. */
function event(
  type: TransactionEventInput['type'],
  parties: Parties,
  atMs: number,
  amount: string,
  over: Partial<TransactionEventInput>,
): TransactionEventInput {
  return {
    eventId: uniqueId('ev'),
    occurredAt: iso(atMs),
    type,
    amount,
    currency: 'RUB',
    ...parties,
    ...over,
  };
}

export function deposit(toWalletId: string, atMs: number, over: Partial<TransactionEventInput> = {}) {
  return event('deposit', { fromRef: uniqueId('card'), toWalletId }, atMs, '300.00', over);
}

export function transfer(
  fromWalletId: string,
  toWalletId: string,
  atMs: number,
  over: Partial<TransactionEventInput> = {},
) {
  return event('transfer', { fromWalletId, toWalletId }, atMs, '1000.00', over);
}

export function withdrawal(fromWalletId: string, atMs: number, over: Partial<TransactionEventInput> = {}) {
  return event('withdrawal', { fromWalletId, toRef: uniqueId('bank') }, atMs, '1000.00', over);
}

/** A campaign: `count` small donations from distinct payers into a wallet opened `openedHoursBefore` earlier. */
export function campaign(
  walletId: string,
  startMs: number,
  count: number,
  spacingMs = MINUTE,
  openedHoursBefore = 5,
): TransactionEventInput[] {
  return Array.from({ length: count }, (_, i) =>
    deposit(walletId, startMs + i * spacingMs, {
      amount: `${200 + ((i * 37) % 400)}.00`,
      fromRef: `donor-${walletId}-${i}`,
      toWalletCreatedAt: iso(startMs - openedHoursBefore * HOUR),
    }),
  );
}
