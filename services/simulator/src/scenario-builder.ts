// The bookkeeping under a scenario: unique ids, event records, labels built from their events, and the
// final delivery order with duplicates and late arrivals. Generators decide the shapes; this does not.
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import type { Random } from './random.js';
import { isInnocentTypology, MINUTE, type Label, type Typology } from './scenario-types.js';

export interface Wallet {
  id: string;
  createdAtMs: number;
  /** Whether the processor sends the opening time on this wallet's events. */
  showCreatedAt: boolean;
}

/** A payer or payee: a wallet, or an outside reference (card, terminal, bank account, shop). */
export type Party = Wallet | string;

interface Draft {
  ms: number;
  seq: number;
  event: TransactionEventInput;
}

export interface BuilderOptions {
  /** The n-th event's id (n from 1). */
  eventId: (sequence: number) => string;
  country?: string;
  currency?: string;
}

export class ScenarioBuilder {
  private readonly drafts: Draft[] = [];
  private readonly timeOf = new Map<string, number>();
  private readonly usedIds = new Set<string>();
  private sequence = 0;
  readonly labels: Label[] = [];

  constructor(
    readonly rng: Random,
    private readonly options: BuilderOptions,
  ) {}

  /** A fresh id from `make`, drawn again until it is unused. */
  unique(make: () => string): string {
    for (;;) {
      const id = make();
      if (!this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }

  /** A fresh opaque id such as "w-3fa91c02"; ids never hint at the wallet's role. */
  id(prefix: string, hexDigits = 8): string {
    return this.unique(() => `${prefix}-${this.hex(hexDigits)}`);
  }

  hex(digits: number): string {
    let hex = '';
    while (hex.length < digits)
      hex += Math.floor(this.rng.next() * 0x10000)
        .toString(16)
        .padStart(4, '0');
    return hex.slice(0, digits);
  }

  wallet(createdAtMs: number, showCreatedAt: boolean, id?: string): Wallet {
    return { id: id ?? this.id('w'), createdAtMs: Math.floor(createdAtMs), showCreatedAt };
  }

  /** Records one event and returns its id. */
  add(
    ms: number,
    type: TransactionEventInput['type'],
    amount: number,
    from: Party,
    to: Party,
    channel: string,
  ): string {
    this.sequence += 1;
    const eventId = this.options.eventId(this.sequence);
    const at = Math.floor(ms);
    const event: TransactionEventInput = {
      eventId,
      occurredAt: new Date(at).toISOString(),
      type,
      amount: formatAmount(amount),
      currency: this.options.currency ?? 'RUB',
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
    event.country = this.options.country ?? 'RU';
    this.drafts.push({ ms: at, seq: this.sequence, event });
    this.timeOf.set(eventId, at);
    return eventId;
  }

  /** The event time (epoch ms) of an event recorded here. */
  timeOfEvent(eventId: string): number {
    const ms = this.timeOf.get(eventId);
    if (ms === undefined) throw new Error(`no event ${eventId} in this scenario`);
    return ms;
  }

  /** Labels a wallet with its typology's events (put in time order); returns the label. */
  label(wallet: Wallet, typology: Typology, eventIds: string[], extra: Partial<Label> = {}): Label {
    if (!eventIds.length) throw new Error(`a ${typology} label needs events`);
    const ordered = [...eventIds].sort(
      (a, b) => this.timeOf.get(a)! - this.timeOf.get(b)! || (a < b ? -1 : 1),
    );
    const label: Label = {
      walletId: wallet.id,
      typology,
      firstEventAt: new Date(this.timeOf.get(ordered[0]!)!).toISOString(),
      lastEventAt: new Date(this.timeOf.get(ordered.at(-1)!)!).toISOString(),
      eventIds: ordered,
      ...extra,
    };
    if (wallet.showCreatedAt) label.openedAt = new Date(wallet.createdAtMs).toISOString();
    if (isInnocentTypology(typology)) label.innocent = true;
    this.labels.push(label);
    return label;
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
