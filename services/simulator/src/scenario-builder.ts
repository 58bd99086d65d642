// The bookkeeping under a scenario: stable ids, event records in wall-clock order, the daily rhythm,
// and the final ordering with duplicates and late arrivals.
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import type { Random } from './random.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Relative activity per UTC hour of day: busy from morning to evening, little at night. */
const HOURLY_RHYTHM = [
  0.2, 0.12, 0.08, 0.08, 0.1, 0.2, 0.45, 0.85, 1.2, 1.4, 1.5, 1.5, 1.65, 1.55, 1.45, 1.4, 1.4, 1.5, 1.65, 1.7,
  1.5, 1.15, 0.75, 0.4,
];
const MAX_RHYTHM = Math.max(...HOURLY_RHYTHM);

export interface Party {
  walletId?: string;
  ref?: string;
  /** Opening time of the wallet, sent on the event when `showCreatedAt`. */
  createdAtMs?: number;
  showCreatedAt?: boolean;
}

export interface Wallet {
  id: string;
  createdAtMs: number;
  showCreatedAt: boolean;
}

interface Draft {
  ms: number;
  seq: number;
  event: TransactionEventInput;
}

export class ScenarioBuilder {
  private readonly drafts: Draft[] = [];
  private readonly usedIds = new Set<string>();
  private sequence = 0;

  constructor(
    readonly rng: Random,
    private readonly eventPrefix: string,
  ) {}

  /** A fresh opaque id such as "w-3fa91c02"; ids never hint at the wallet's role. */
  id(prefix: string, hexDigits = 8): string {
    for (;;) {
      let hex = '';
      while (hex.length < hexDigits)
        hex += Math.floor(this.rng.next() * 0x10000)
          .toString(16)
          .padStart(4, '0');
      const id = `${prefix}-${hex.slice(0, hexDigits)}`;
      if (!this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }

  wallet(createdAtMs: number, showCreatedAt: boolean): Wallet {
    return { id: this.id('w'), createdAtMs: Math.floor(createdAtMs), showCreatedAt };
  }

  /** A time in [fromMs, toMs) drawn with the daily rhythm. */
  rhythmTime(fromMs: number, toMs: number): number {
    for (;;) {
      const ms = this.rng.uniform(fromMs, toMs);
      const hour = new Date(ms).getUTCHours();
      if (this.rng.next() * MAX_RHYTHM < HOURLY_RHYTHM[hour]!) return Math.floor(ms);
    }
  }

  /** Records one event and returns its id. */
  add(
    ms: number,
    type: TransactionEventInput['type'],
    amount: number,
    from: Wallet | string,
    to: Wallet | string,
    channel: string,
  ): string {
    this.sequence += 1;
    const eventId = `${this.eventPrefix}-${this.sequence.toString(36).padStart(6, '0')}`;
    const at = Math.floor(ms);
    const event: TransactionEventInput = {
      eventId,
      occurredAt: new Date(at).toISOString(),
      type,
      amount: formatAmount(amount),
      currency: 'RUB',
    };
    if (typeof from === 'string') event.fromRef = from;
    else {
      event.fromWalletId = from.id;
      if (from.showCreatedAt) event.fromWalletCreatedAt = new Date(from.createdAtMs).toISOString();
    }
    if (typeof to === 'string') event.toRef = to;
    else {
      event.toWalletId = to.id;
      if (to.showCreatedAt) event.toWalletCreatedAt = new Date(to.createdAtMs).toISOString();
    }
    event.channel = channel;
    event.country = 'RU';
    this.drafts.push({ ms: at, seq: this.sequence, event });
    return eventId;
  }

  /** Events in occurredAt order, then copies and late arrivals placed by their delivery time. */
  build(duplicateShare: number, reorderShare: number): TransactionEventInput[] {
    const sorted = [...this.drafts].sort((a, b) => a.ms - b.ms || a.seq - b.seq);
    const delivered: { at: number; order: number; event: TransactionEventInput }[] = [];
    sorted.forEach((draft, order) => {
      const late = reorderShare > 0 && this.rng.chance(reorderShare);
      const at = late ? draft.ms + this.rng.uniform(30_000, 5 * MINUTE) : draft.ms;
      delivered.push({ at, order, event: draft.event });
      if (duplicateShare > 0 && this.rng.chance(duplicateShare)) {
        // A producer retry: the same message again a little later.
        delivered.push({ at: at + this.rng.uniform(1_000, 2 * MINUTE), order, event: { ...draft.event } });
      }
    });
    delivered.sort((a, b) => a.at - b.at || a.order - b.order);
    return delivered.map((d) => d.event);
  }
}

export function formatAmount(amount: number): string {
  return (Math.round(Math.max(amount, 0.01) * 100) / 100).toFixed(2);
}

/** The wallet a Kafka message is keyed by: the receiving wallet when there is one, else the payer. */
export function messageKey(event: TransactionEventInput): string {
  return event.toWalletId ?? event.fromWalletId ?? event.eventId;
}
