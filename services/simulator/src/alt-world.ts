// The alternative generator's world, shaped independently of the main one: phone-number wallet ids and
// masked card numbers, Moscow-time daily and weekly rhythms, round sums next to heavy-tailed prices,
// very different kinds of user (dormant to heavy), several payment channels, and bursty arrivals.
import { Random } from './random.js';
import { calendarDays, Rhythm, type CalendarDay } from './rhythm.js';
import { ScenarioBuilder, type Party, type Wallet } from './scenario-builder.js';
import { DAY, HOUR, MINUTE, timelineOf, type ScenarioOptions, type Timeline } from './scenario-types.js';

/** Moscow local hours: a lunch peak and a long evening peak, quiet nights. */
const HOURLY_MSK = [
  0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.3, 0.7, 1.0, 1.0, 1.05, 1.2, 1.6, 1.5, 1.1, 1.0, 1.05, 1.25, 1.6, 1.9,
  2.0, 1.7, 1.1, 0.45,
];
/** Sunday first: Fridays and Saturdays are busiest, Mondays quietest. */
const WEEKLY = [1.05, 0.85, 0.9, 0.95, 1.0, 1.25, 1.3];

/** The sums people pick when they choose a round amount. */
const ROUND_SUMS = [100, 200, 300, 500, 1000, 1500, 2000, 3000, 5000, 10_000];
const ROUND_WEIGHTS = [8, 10, 8, 14, 14, 5, 7, 4, 4, 2];
const CARD_BINS = ['427638', '546938', '220220', '553691', '481776', '220070'];

export interface AltPerson extends Wallet {
  cards: string[];
  bank: string;
  /** Expected events a day. */
  activity: number;
  /** Pays cash at terminals rather than by card. */
  usesCash: boolean;
  /** How this person pays a shop, always the same way: QR from the wallet, or a card. */
  paysByQr: boolean;
  contacts: AltPerson[];
}

export class AltWorld {
  readonly rng: Random;
  readonly b: ScenarioBuilder;
  readonly t: Timeline;
  readonly rhythm: Rhythm;
  readonly days: CalendarDay[];
  readonly people: AltPerson[];
  readonly terminals: string[];
  readonly shops: string[];
  private readonly spare: AltPerson[];

  constructor(readonly options: ScenarioOptions) {
    // A different stream from the main generator's for the same seed.
    this.rng = new Random(options.seed ^ 0x5bd1e995);
    const salt = options.seed.toString(36);
    this.b = new ScenarioBuilder(this.rng, {
      // A bijective hash of the sequence: unique, but not in creation order.
      eventId: (n) => `tx_${salt}_${(Math.imul(n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}`,
    });
    this.t = timelineOf(options);
    this.rhythm = new Rhythm(this.rng, { hourly: HOURLY_MSK, weekly: WEEKLY, utcOffsetHours: 3 });
    this.days = calendarDays(this.t.startMs, this.t.endMs);
    this.terminals = Array.from({ length: 400 }, () => this.b.unique(() => `qt/${this.digits(6)}`));
    this.shops = Array.from({ length: 120 }, () =>
      this.b.unique(() => `mcc${this.rng.pick(['5411', '5812', '5999', '4121', '5912'])}.${this.digits(7)}`),
    );
    this.people = Array.from({ length: options.ordinaryWallets }, () => {
      const kind = this.rng.weighted([25, 45, 22, 8]);
      const activity = [0.05, 0.4, 1.2, Math.min(12, this.rng.pareto(2.5, 1.5))][kind]!;
      return {
        ...this.establishedWallet(),
        cards: Array.from({ length: this.rng.chance(0.3) ? 2 : 1 }, () => this.card()),
        bank: this.bankAccount(),
        activity,
        usesCash: this.rng.chance(0.15),
        paysByQr: this.rng.chance(0.45),
        contacts: [],
      };
    });
    this.spare = this.rng.shuffle([...this.people]);
    for (const person of this.people) {
      // Heavier users know more people; a few contacts are far more frequent than the rest.
      const size = Math.min(30, 1 + Math.round(this.rng.pareto(2, 1.2)));
      person.contacts = this.rng.sample(this.people, size).filter((c) => c.id !== person.id);
    }
  }

  digits(count: number): string {
    let text = '';
    while (text.length < count) text += Math.floor(this.rng.next() * 10).toString();
    return text;
  }

  /** Wallet ids are phone numbers, as on the processors of the seed case. */
  phoneWallet(createdAtMs: number, showCreatedAt: boolean): Wallet {
    return this.b.wallet(
      createdAtMs,
      showCreatedAt,
      this.b.unique(() => `+79${this.digits(9)}`),
    );
  }

  /** Opened a year or several before the stream; the processor sends the date for 70 % of them. */
  establishedWallet(): Wallet {
    return this.phoneWallet(this.t.startMs - this.rng.uniform(30, 2500) * DAY, this.rng.chance(0.7));
  }

  openedAt(createdAtMs: number): Wallet {
    return this.phoneWallet(createdAtMs, true);
  }

  card(): string {
    return this.b.unique(() => `${this.rng.pick(CARD_BINS)}******${this.digits(4)}`);
  }

  bankAccount(): string {
    return this.b.unique(() => `40817810${this.digits(12)}`);
  }

  specialPerson(): AltPerson {
    const person = this.spare.pop();
    if (!person) throw new Error('not enough ordinary wallets for the special roles');
    return person;
  }

  shopper(person: AltPerson): { payer: Party; channel: string } {
    return person.paysByQr ? { payer: person, channel: 'qr' } : { payer: person.cards[0]!, channel: 'card' };
  }

  /** A round sum as people choose them, at most `max`. */
  roundSum(max = Infinity): number {
    for (;;) {
      const sum = ROUND_SUMS[this.rng.weighted(ROUND_WEIGHTS)]!;
      if (sum <= max) return sum;
    }
  }

  /** A shop price: heavy-tailed, with kopecks. */
  price(min = 60, alpha = 1.3, max = 150_000): number {
    return Math.min(max, Math.round(this.rng.pareto(min, alpha) * 100) / 100);
  }

  slot(lengthMs: number, fromMs = this.t.suspiciousFromMs): number {
    return fromMs + this.rng.uniform(0, Math.max(0, this.t.endMs - fromMs - lengthMs - HOUR));
  }

  roomAfter(fromMs: number): number {
    return Math.max(HOUR, this.t.endMs - HOUR - fromMs);
  }

  clampToEnd(ms: number): number {
    return Math.min(ms, this.t.endMs - this.rng.uniform(1_000, MINUTE));
  }

  daysFrom(fromMs: number): CalendarDay[] {
    return calendarDays(Math.max(fromMs, this.t.startMs), this.t.endMs);
  }

  /**
   * Arrival times of `count` events in re-share waves: each wave a burst whose rate decays
   * exponentially (mean gap from its start `decayMs`), the waves `spreadMs` apart on average.
   */
  waves(count: number, fromMs: number, waves: number, decayMs: number, spreadMs: number): number[] {
    const starts = [fromMs];
    for (let i = 1; i < waves; i++) starts.push(starts[i - 1]! + this.rng.exponential(spreadMs));
    const sizes = starts.map((_, i) => this.rng.uniform(0.4, 1) / (i + 1));
    return Array.from({ length: count }, () => {
      const wave = this.rng.weighted(sizes);
      return this.clampToEnd(starts[wave]! + this.rng.exponential(decayMs));
    }).sort((a, b) => a - b);
  }

  /** Arrival times of a Poisson process of `perHour` times the rhythm's weight, in [fromMs, toMs). */
  poissonArrivals(perHour: number, fromMs: number, toMs: number): number[] {
    const times: number[] = [];
    const peakGapMs = HOUR / (perHour * this.rhythm.max);
    // Thinning: candidates at the peak rate, each kept with the rhythm's weight at its time.
    for (
      let at = fromMs + this.rng.exponential(peakGapMs);
      at < toMs;
      at += this.rng.exponential(peakGapMs)
    ) {
      if (this.rng.next() * this.rhythm.max < this.rhythm.weightAt(at)) times.push(Math.floor(at));
    }
    return times;
  }
}
