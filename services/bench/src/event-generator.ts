// Deterministic e-wallet traffic for the bench: mostly card deposits into wallets, some wallet-to-wallet
// transfers and withdrawals, serialised straight to Kafka message Buffers (contract:
// schemas/transaction-event.ts). Keyed by the receiving wallet, or the paying wallet for withdrawals.
import { SeededRandom } from './seeded-random.js';

export interface TrafficShape {
  wallets: number;
  seed: number;
  /** Prefix of event ids, so two runs never share an id. */
  eventIdPrefix: string;
}

export interface GeneratedMessage {
  key: Buffer;
  value: Buffer;
}

const DAY = 86_400_000;
const CARDS_PER_WALLET = 3;
/** A few "merchant" wallets (0.1%) receive 10% of the deposits, as busy shops do. */
const HOT_WALLET_SHARE = 0.001;
const HOT_TRAFFIC_SHARE = 0.1;
const MIN_AMOUNT_LOG = Math.log(100);
const MAX_AMOUNT_LOG = Math.log(30_000);

export class TrafficGenerator {
  private readonly random: SeededRandom;
  private readonly openedAt: string[];
  private readonly hotWallets: number;
  private readonly touched: Uint8Array;
  private touchedCount = 0;
  private sequence = 0;

  constructor(
    private readonly shape: TrafficShape,
    openedBeforeMs: number,
  ) {
    this.random = new SeededRandom(shape.seed);
    this.hotWallets = Math.max(1, Math.floor(shape.wallets * HOT_WALLET_SHARE));
    this.touched = new Uint8Array(shape.wallets);
    // Every wallet was opened 30 to 730 days before the traffic starts: none looks "young".
    this.openedAt = Array.from({ length: shape.wallets }, () =>
      new Date(openedBeforeMs - (30 + this.random.int(700)) * DAY).toISOString(),
    );
  }

  /** The next event, happening at `occurredAtMs`. */
  next(occurredAtMs: number): GeneratedMessage {
    const r = this.random;
    const eventId = `${this.shape.eventIdPrefix}-${this.sequence++}`;
    const occurredAt = new Date(occurredAtMs).toISOString();
    const amount = this.amount();
    const kind = r.next();
    if (kind < 0.75) {
      const to = this.touch(this.receivingWallet());
      // Mostly the owner's own cards, sometimes someone else's (a friend paying back).
      const card = r.next() < 0.85 ? to * CARDS_PER_WALLET + r.int(CARDS_PER_WALLET) : r.int(this.cards());
      return message(
        `w-${to}`,
        `{"eventId":"${eventId}","occurredAt":"${occurredAt}","type":"deposit","amount":"${amount}","currency":"RUB","fromRef":"card-${card}","toWalletId":"w-${to}","toWalletCreatedAt":"${this.openedAt[to]}","channel":"card"}`,
      );
    }
    if (kind < 0.92) {
      const to = this.touch(this.receivingWallet());
      let from = r.int(this.shape.wallets);
      if (from === to) from = (from + 1) % this.shape.wallets;
      this.touch(from);
      return message(
        `w-${to}`,
        `{"eventId":"${eventId}","occurredAt":"${occurredAt}","type":"transfer","amount":"${amount}","currency":"RUB","fromWalletId":"w-${from}","toWalletId":"w-${to}","fromWalletCreatedAt":"${this.openedAt[from]}","toWalletCreatedAt":"${this.openedAt[to]}","channel":"p2p"}`,
      );
    }
    const from = this.touch(r.int(this.shape.wallets));
    return message(
      `w-${from}`,
      `{"eventId":"${eventId}","occurredAt":"${occurredAt}","type":"withdrawal","amount":"${amount}","currency":"RUB","fromWalletId":"w-${from}","toRef":"bank-${from % 997}","fromWalletCreatedAt":"${this.openedAt[from]}","channel":"bank"}`,
    );
  }

  /** Distinct wallets the events so far touched. */
  get walletsTouched(): number {
    return this.touchedCount;
  }

  private touch(wallet: number): number {
    if (!this.touched[wallet]) {
      this.touched[wallet] = 1;
      this.touchedCount += 1;
    }
    return wallet;
  }

  private cards(): number {
    return this.shape.wallets * CARDS_PER_WALLET;
  }

  private receivingWallet(): number {
    const r = this.random;
    return r.next() < HOT_TRAFFIC_SHARE ? r.int(this.hotWallets) : r.int(this.shape.wallets);
  }

  /** Log-uniform between 100 and 30,000 RUB, as "1234.50". */
  private amount(): string {
    const value = Math.exp(MIN_AMOUNT_LOG + this.random.next() * (MAX_AMOUNT_LOG - MIN_AMOUNT_LOG));
    const kopecks = Math.round(value * 100);
    const fraction = kopecks % 100;
    return `${Math.floor(kopecks / 100)}.${fraction < 10 ? '0' : ''}${fraction}`;
  }
}

/** A backlog: `events` events spread over `spanMs` of event time ending at `endMs`, roughly increasing. */
export class BacklogGenerator {
  private readonly traffic: TrafficGenerator;
  private readonly random: SeededRandom;
  private produced = 0;

  constructor(
    shape: TrafficShape,
    private readonly events: number,
    private readonly endMs: number,
    private readonly spanMs: number,
  ) {
    this.traffic = new TrafficGenerator(shape, endMs - spanMs);
    this.random = new SeededRandom(shape.seed ^ 0x5bd1e995);
  }

  get walletsTouched(): number {
    return this.traffic.walletsTouched;
  }

  get remaining(): number {
    return this.events - this.produced;
  }

  nextChunk(size: number): GeneratedMessage[] {
    const count = Math.min(size, this.remaining);
    const chunk: GeneratedMessage[] = new Array(count);
    const startMs = this.endMs - this.spanMs;
    for (let i = 0; i < count; i++) {
      // Up to 30 s late: event time is roughly, not strictly, increasing, as on a real topic.
      const onTime = startMs + (this.produced * this.spanMs) / this.events;
      chunk[i] = this.traffic.next(Math.max(startMs, Math.round(onTime - this.random.next() * 30_000)));
      this.produced += 1;
    }
    return chunk;
  }
}

function message(key: string, json: string): GeneratedMessage {
  return { key: Buffer.from(key), value: Buffer.from(json) };
}
