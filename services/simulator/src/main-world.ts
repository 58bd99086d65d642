// The main generator's world: its people with cards, friends and habits, the shops and terminals they
// use, the timeline, and the helpers every typology draws its times, amounts and wallets with.
import { Random } from './random.js';
import { calendarDays, Rhythm, type CalendarDay } from './rhythm.js';
import { ScenarioBuilder, type Party, type Wallet } from './scenario-builder.js';
import { DAY, HOUR, MINUTE, timelineOf, type ScenarioOptions, type Timeline } from './scenario-types.js';

/** Relative activity per UTC hour of day: busy from morning to evening, little at night. */
const HOURLY = [
  0.2, 0.12, 0.08, 0.08, 0.1, 0.2, 0.45, 0.85, 1.2, 1.4, 1.5, 1.5, 1.65, 1.55, 1.45, 1.4, 1.4, 1.5, 1.65, 1.7,
  1.5, 1.15, 0.75, 0.4,
];

export interface Person extends Wallet {
  card: string;
  bank: string;
  friends: Person[];
  activity: number;
  /** How this person pays in shops: always the same wallet or the same card, so shops share payers. */
  paysByCard: boolean;
}

export class MainWorld {
  readonly rng: Random;
  readonly b: ScenarioBuilder;
  readonly t: Timeline;
  readonly rhythm: Rhythm;
  readonly people: Person[];
  readonly terminals: string[];
  readonly shops: string[];
  readonly days: CalendarDay[];
  private readonly spare: Person[];

  constructor(readonly options: ScenarioOptions) {
    this.rng = new Random(options.seed);
    this.b = new ScenarioBuilder(this.rng, {
      eventId: (n) => `ev${options.seed.toString(36)}-${n.toString(36).padStart(6, '0')}`,
    });
    this.t = timelineOf(options);
    this.rhythm = new Rhythm(this.rng, { hourly: HOURLY });
    this.days = calendarDays(this.t.startMs, this.t.endMs);
    this.terminals = Array.from({ length: 150 }, () => this.b.id('term', 6));
    this.shops = Array.from({ length: 80 }, () => this.b.id('shop', 6));
    this.people = Array.from({ length: options.ordinaryWallets }, () => ({
      ...this.oldWallet(),
      card: this.card(),
      bank: this.bankRef(),
      friends: [],
      activity: this.rng.logNormal(0, 0.5),
      paysByCard: this.rng.chance(0.6),
    }));
    // People given a special role are drawn once each, so no wallet carries two labels.
    this.spare = this.rng.shuffle([...this.people]);
    for (const person of this.people) {
      // A small, stable circle of friends.
      person.friends = this.rng.sample(this.people, this.rng.int(2, 6)).filter((f) => f.id !== person.id);
    }
  }

  card(): string {
    return this.b.id('card', 12);
  }

  bankRef(): string {
    return this.b.id('bank');
  }

  /** Opened long before the stream; half the events say so. */
  oldWallet(): Wallet {
    return this.b.wallet(this.t.startMs - this.rng.uniform(60, 900) * DAY, this.rng.chance(0.5));
  }

  /** A wallet whose opening time the processor sends. */
  openedAt(createdAtMs: number): Wallet {
    return this.b.wallet(createdAtMs, true);
  }

  specialPerson(): Person {
    const person = this.spare.pop();
    if (!person) throw new Error('not enough ordinary wallets for the special roles');
    return person;
  }

  /** How a person pays a shop: their wallet in the app, or their card. */
  shopper(person: Person): { payer: Party; channel: string } {
    return person.paysByCard ? { payer: person.card, channel: 'card' } : { payer: person, channel: 'app' };
  }

  /** The start of a window of `lengthMs` at or after `fromMs` that ends an hour before the stream does. */
  slot(lengthMs: number, fromMs = this.t.suspiciousFromMs): number {
    return fromMs + this.rng.uniform(0, Math.max(0, this.t.endMs - fromMs - lengthMs - HOUR));
  }

  /** Room left between `fromMs` and an hour before the end of the stream. */
  roomAfter(fromMs: number): number {
    return Math.max(HOUR, this.t.endMs - HOUR - fromMs);
  }

  clampToEnd(ms: number): number {
    return Math.min(ms, this.t.endMs - this.rng.uniform(1_000, MINUTE));
  }

  /** Log-normal roubles around `mu`, clamped. */
  rub(mu: number, sigma: number, min: number, max = Infinity): number {
    return Math.min(max, Math.max(min, Math.round(this.rng.logNormal(Math.log(mu), sigma))));
  }

  /** Calendar days from `fromMs` on. */
  daysFrom(fromMs: number): CalendarDay[] {
    return calendarDays(Math.max(fromMs, this.t.startMs), this.t.endMs);
  }
}
