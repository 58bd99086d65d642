// A labelled, reproducible stream of e-wallet transactions: ordinary and merchant traffic with innocent
// look-alikes (birthday collections, payroll, savings moves) and the typologies FlowGuard must catch.
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import { Random } from './random.js';
import { DAY, HOUR, MINUTE, ScenarioBuilder, type Wallet } from './scenario-builder.js';

export { messageKey } from './scenario-builder.js';

export const SUSPICIOUS_TYPOLOGIES = [
  'crowdfunding',
  'replacement-wallet',
  'slow-campaign',
  'pass-through',
  'structuring',
  'fan-out',
] as const;
export const INNOCENT_TYPOLOGIES = ['merchant', 'birthday', 'payroll', 'savings'] as const;
export type Typology = (typeof SUSPICIOUS_TYPOLOGIES)[number] | (typeof INNOCENT_TYPOLOGIES)[number];

export interface Label {
  walletId: string;
  typology: Typology;
  firstEventAt: string;
  lastEventAt: string;
  /** The typology's events into or out of the wallet, in time order. */
  eventIds: string[];
  relatedWalletId?: string;
  innocent?: true;
}

export interface ScenarioOptions {
  seed: number;
  /** Start of the warm-up; by default the span ends now. */
  start?: Date;
  warmUpDays: number;
  days: number;
  ordinaryWallets: number;
  merchants: number;
  birthdayCollections: number;
  payrolls: number;
  savingsMovers: number;
  campaigns: number;
  replacements: number;
  slowCampaigns: number;
  mules: number;
  structurers: number;
  fanOuts: number;
  duplicateShare: number;
  reorderShare: number;
}

export const DEFAULT_SCENARIO: ScenarioOptions = {
  seed: 42,
  warmUpDays: 7,
  days: 2,
  ordinaryWallets: 3000,
  merchants: 5,
  birthdayCollections: 5,
  payrolls: 2,
  savingsMovers: 20,
  campaigns: 3,
  replacements: 2,
  slowCampaigns: 1,
  mules: 3,
  structurers: 2,
  fanOuts: 2,
  duplicateShare: 0,
  reorderShare: 0,
};

export interface Scenario {
  events: TransactionEventInput[];
  labels: Label[];
  /** Start and end of the labelled period (epoch ms). */
  labelledFromMs: number;
  labelledToMs: number;
}

/** The seed campaign: about 95,000 RUB in a few hours. */
const SEED_CAMPAIGN_TOTAL = 95_000;

interface Person extends Wallet {
  card: string;
  bank: string;
  friends: Wallet[];
  activity: number;
}

interface Campaign {
  wallet: Wallet;
  donors: (Wallet | string)[];
  spare: (Wallet | string)[];
  lastMs: number;
  label: Label;
}

export function generateScenario(options: Partial<ScenarioOptions> = {}): Scenario {
  const o: ScenarioOptions = { ...DEFAULT_SCENARIO, ...options };
  if (o.campaigns < o.replacements) throw new Error('every replacement needs a campaign to replace');
  const rng = new Random(o.seed);
  const b = new ScenarioBuilder(rng, `ev${o.seed.toString(36)}`);
  const spanMs = (o.warmUpDays + o.days) * DAY;
  const startMs = o.start ? o.start.getTime() : Date.now() - spanMs;
  const labelledFromMs = startMs + o.warmUpDays * DAY;
  const endMs = startMs + spanMs;
  /** Calendar days (UTC) overlapping the span, clipped to it, so payouts fall in the evening. */
  const calendarDays: { from: number; to: number; share: number }[] = [];
  for (let day = Math.floor(startMs / DAY) * DAY; day < endMs; day += DAY) {
    const from = Math.max(day, startMs);
    const to = Math.min(day + DAY, endMs);
    calendarDays.push({ from, to, share: (to - from) / DAY });
  }
  const labels: Label[] = [];
  const ids: string[] = [];
  const track = (id: string) => (ids.push(id), id);
  const take = () => ids.splice(0);

  const card = () => b.id('card', 12);
  const bankRef = () => b.id('bank');
  const terminals = Array.from({ length: 150 }, () => b.id('term', 6));
  const shops = Array.from({ length: 80 }, () => b.id('shop', 6));
  // Opened long ago; half the events say so.
  const oldWallet = () => b.wallet(startMs - rng.uniform(60, 900) * DAY, rng.chance(0.5));
  const newWallet = (createdAtMs: number) => b.wallet(createdAtMs, true);
  const label = (
    wallet: Wallet,
    typology: Typology,
    eventIds: string[],
    times: number[],
    extra: Partial<Label> = {},
  ): Label => {
    const l: Label = {
      walletId: wallet.id,
      typology,
      firstEventAt: new Date(Math.min(...times)).toISOString(),
      lastEventAt: new Date(Math.max(...times)).toISOString(),
      eventIds,
      ...extra,
    };
    if ((INNOCENT_TYPOLOGIES as readonly string[]).includes(typology)) l.innocent = true;
    labels.push(l);
    return l;
  };
  /** A window of `lengthMs` placed somewhere in the labelled period, ending before its end. */
  const labelledSlot = (lengthMs: number) =>
    labelledFromMs + rng.uniform(0, Math.max(0, endMs - labelledFromMs - lengthMs - HOUR));
  const clampToEnd = (ms: number) => Math.min(ms, endMs - rng.uniform(1_000, MINUTE));
  const rub = (mu: number, sigma: number, min: number, max = Infinity) =>
    Math.min(max, Math.max(min, Math.round(rng.logNormal(Math.log(mu), sigma))));

  // ---- ordinary people -------------------------------------------------------------------------
  const people: Person[] = Array.from({ length: o.ordinaryWallets }, () => ({
    ...oldWallet(),
    card: card(),
    bank: bankRef(),
    friends: [],
    activity: rng.logNormal(0, 0.5),
  }));
  // People given a special role are drawn once each, so no wallet carries two labels.
  const spare = rng.shuffle([...people]);
  const specialPerson = () => {
    const person = spare.pop();
    if (!person) throw new Error('not enough ordinary wallets for the special roles');
    return person;
  };
  for (const person of people) {
    // A small, stable circle of friends.
    person.friends = rng.sample(people, rng.int(2, 6)).filter((friend) => friend.id !== person.id);
  }
  for (const { from, to, share } of calendarDays) {
    for (const p of people) {
      const rate = share * p.activity;
      const topUps = Math.min(2, rng.poisson(0.35 * rate));
      for (let i = 0; i < topUps; i++) {
        const source = rng.chance(0.75) ? p.card : rng.pick(terminals);
        const channel = source === p.card ? 'card' : 'terminal';
        b.add(b.rhythmTime(from, to), 'deposit', rub(1500, 0.8, 100, 60_000), source, p, channel);
      }
      for (let i = rng.poisson(0.3 * rate); i > 0; i--) {
        b.add(b.rhythmTime(from, to), 'payment', rub(700, 0.9, 50), p, rng.pick(shops), 'app');
      }
      for (let i = rng.poisson(0.2 * rate); i > 0 && p.friends.length; i--) {
        b.add(b.rhythmTime(from, to), 'transfer', rub(800, 0.9, 50), p, rng.pick(p.friends), 'app');
      }
      if (rng.chance(0.06 * rate)) {
        b.add(b.rhythmTime(from, to), 'withdrawal', rub(3000, 0.7, 500), p, p.bank, 'app');
      }
    }
  }

  // ---- merchants: steady fan-in from repeat customers, takings withdrawn daily -------------------
  for (let m = 0; m < o.merchants; m++) {
    const merchant = b.wallet(startMs - rng.uniform(400, 1500) * DAY, true);
    const payout = bankRef();
    const regulars = rng.sample(people, rng.int(150, 400));
    const cards = Array.from({ length: rng.int(300, 700) }, card);
    const dailyLevel = rng.int(150, 600);
    const labelled = (ms: number, id: string) => (ms >= labelledFromMs ? track(id) : id);
    for (const { from, to, share } of calendarDays) {
      const dayStart = Math.floor(from / DAY) * DAY;
      // Open until 22:00; the takings go to the bank after closing.
      const closeMs = Math.min(to, dayStart + 22 * HOUR);
      if (closeMs <= from) continue;
      const count = Math.round(dailyLevel * share * rng.uniform(0.85, 1.15));
      let takings = 0;
      for (let i = 0; i < count; i++) {
        // Favourite customers come back most often (u^2 skews towards the front of the list).
        const skewed = <T>(list: T[]) => list[Math.floor(list.length * rng.next() ** 2)]!;
        const payer = rng.chance(0.55) ? skewed(regulars) : rng.chance(0.7) ? skewed(cards) : card();
        const amount = rub(350, 0.7, 20, 20_000);
        takings += amount;
        const at = b.rhythmTime(from, closeMs);
        labelled(at, b.add(at, 'payment', amount, payer, merchant, 'app'));
      }
      const payoutMs = dayStart + rng.uniform(22, 23.9) * HOUR;
      if (takings > 0 && payoutMs >= from && payoutMs < to) {
        const amount = takings * rng.uniform(0.9, 1);
        labelled(payoutMs, b.add(payoutMs, 'withdrawal', amount, merchant, payout, 'app'));
      }
    }
    const merchantIds = take();
    if (o.days > 0) label(merchant, 'merchant', merchantIds, [labelledFromMs, endMs - 1]);
  }

  // ---- birthday collections: ~15 friends chip in within a day --------------------------------------
  for (let i = 0; i < o.birthdayCollections; i++) {
    const celebrant = specialPerson();
    const from = labelledSlot(14 * HOUR);
    const friends = rng.sample(
      [...celebrant.friends, ...rng.sample(people, 30)].filter((p) => p.id !== celebrant.id),
      rng.int(13, 17),
    );
    const times: number[] = [];
    for (const friend of friends) {
      const at = b.rhythmTime(from, from + 12 * HOUR);
      times.push(at);
      track(b.add(at, 'transfer', Math.round(rng.uniform(500, 1500) / 50) * 50, friend, celebrant, 'app'));
    }
    if (rng.chance(0.7)) {
      const at = Math.max(...times) + rng.uniform(0.5, 2) * HOUR;
      times.push(at);
      track(b.add(at, 'payment', rng.uniform(6_000, 15_000), celebrant, rng.pick(shops), 'app'));
    }
    label(celebrant, 'birthday', sortedIds(take(), times), times);
  }

  // ---- payroll: an established employer pays its staff within an hour -----------------------------
  for (let i = 0; i < o.payrolls; i++) {
    const employer = oldWallet();
    const bank = bankRef();
    // A little everyday history so the employer is not a blank wallet.
    for (const { from, to, share } of calendarDays) {
      for (let n = rng.poisson(1.5 * share); n > 0; n--) {
        const at = b.rhythmTime(from, to);
        b.add(at, 'payment', rub(8_000, 0.8, 500), employer, rng.pick(shops), 'web');
      }
    }
    const staff = rng.sample(people, rng.int(20, 40));
    const salaries = staff.map(() => rub(55_000, 0.35, 20_000, 250_000));
    const fundedAt = labelledSlot(3 * HOUR);
    const total = salaries.reduce((sum, s) => sum + s, 0);
    const times = [fundedAt];
    track(b.add(fundedAt, 'deposit', total * rng.uniform(1.02, 1.1), bank, employer, 'bank'));
    staff.forEach((employee, n) => {
      const at = fundedAt + rng.uniform(10 * MINUTE, 60 * MINUTE);
      times.push(at);
      track(b.add(at, 'transfer', salaries[n]!, employer, employee, 'web'));
    });
    label(employer, 'payroll', sortedIds(take(), times), times);
  }

  // ---- savings movers: own card → wallet → own second wallet ---------------------------------------
  for (let i = 0; i < o.savingsMovers; i++) {
    const person = specialPerson();
    const second = oldWallet();
    const at = b.rhythmTime(labelledFromMs, endMs - 6 * HOUR);
    const amount = Math.round(rng.uniform(20_000, 80_000) / 100) * 100;
    const movedAt = at + rng.uniform(0.3, 4) * HOUR;
    const eventIds = [
      b.add(at, 'deposit', amount, person.card, person, 'card'),
      b.add(movedAt, 'transfer', amount * rng.uniform(0.7, 0.95), person, second, 'app'),
    ];
    label(person, 'savings', eventIds, [at, movedAt], { relatedWalletId: second.id });
  }

  // ---- donation campaigns ------------------------------------------------------------------------
  /** Distinct payers: mostly cards, some wallets of ordinary people. */
  const donorPool = (size: number): (Wallet | string)[] => {
    const wallets = Array.from({ length: size }, () => rng.chance(0.15)).filter(Boolean).length;
    const donors: (Wallet | string)[] = rng.sample(people, wallets);
    while (donors.length < size) donors.push(card());
    return rng.shuffle(donors);
  };
  const donate = (payer: Wallet | string, to: Wallet, at: number, amount: number) =>
    typeof payer === 'string'
      ? b.add(at, 'deposit', amount, payer, to, 'card')
      : b.add(at, 'transfer', amount, payer, to, 'app');
  /** Donation amounts of 100-1000 RUB around ~300, scaled so the campaign totals about `total`. */
  const donationAmounts = (count: number, total: number) => {
    const raw = Array.from({ length: count }, () => rng.logNormal(Math.log(300), 0.55));
    const scale = total / raw.reduce((sum, x) => sum + x, 0);
    return raw.map((x) => Math.min(1000, Math.max(100, Math.round((x * scale) / 10) * 10)));
  };
  /** Runs a donation drive; a share of payers may withdraw the takings at the end. */
  const runDrive = (
    wallet: Wallet,
    donors: (Wallet | string)[],
    fromMs: number,
    lengthMs: number,
    total: number,
    frontLoaded: boolean,
  ) => {
    const amounts = donationAmounts(donors.length, total);
    const times: number[] = [];
    donors.forEach((donor, n) => {
      // A re-shared post brings most donations early; a slow campaign trickles in all day.
      const u = rng.next();
      const at = clampToEnd(fromMs + lengthMs * (frontLoaded ? 1 - Math.sqrt(1 - u) : u));
      times.push(at);
      track(donate(donor, wallet, at, amounts[n]!));
    });
    const lastMs = Math.max(...times);
    if (rng.chance(0.6)) {
      const at = clampToEnd(lastMs + rng.uniform(10, 90) * MINUTE);
      times.push(at);
      const raised = amounts.reduce((sum, a) => sum + a, 0);
      track(b.add(at, 'withdrawal', raised * rng.uniform(0.8, 0.95), wallet, bankRef(), 'app'));
    }
    return { times, lastMs };
  };

  const campaigns: Campaign[] = [];
  for (let i = 0; i < o.campaigns; i++) {
    const hasReplacement = i < o.replacements;
    const lengthMs = rng.uniform(2, 6) * HOUR;
    // Leave room for the replacement: 6-20 h after the campaign stops, a few hours long.
    const from = labelledSlot(lengthMs + (hasReplacement ? 26 * HOUR : 0));
    const wallet = newWallet(from - rng.uniform(1, 12) * HOUR);
    const count = rng.int(200, 500);
    const pool = donorPool(Math.round(count * 1.5));
    const donors = pool.slice(0, count);
    const total = SEED_CAMPAIGN_TOTAL * rng.uniform(0.8, 1.2);
    const { times, lastMs } = runDrive(wallet, donors, from, lengthMs, total, true);
    const l = label(wallet, 'crowdfunding', sortedIds(take(), times), times);
    campaigns.push({ wallet, donors, spare: pool.slice(count), lastMs, label: l });
  }
  for (let i = 0; i < o.replacements; i++) {
    const original = campaigns[i]!;
    const from = clampToEnd(original.lastMs + rng.uniform(6, 20) * HOUR);
    const lengthMs = Math.min(rng.uniform(2, 5) * HOUR, Math.max(HOUR, endMs - from - 10 * MINUTE));
    const wallet = newWallet(Math.max(original.lastMs, from - rng.uniform(1, 5) * HOUR));
    const count = rng.int(80, 300);
    const returning = rng.sample(original.donors, Math.round(count * rng.uniform(0.4, 0.7)));
    const taken = new Set(returning);
    const fresh = [...new Set([...original.spare, ...donorPool(count)])]
      .filter((donor) => !taken.has(donor))
      .slice(0, count - returning.length);
    const donors = rng.shuffle([...returning, ...fresh]);
    const total = count * rng.uniform(250, 380);
    const { times } = runDrive(wallet, donors, from, lengthMs, total, true);
    label(wallet, 'replacement-wallet', sortedIds(take(), times), times, {
      relatedWalletId: original.wallet.id,
    });
  }
  for (let i = 0; i < o.slowCampaigns; i++) {
    const lengthMs = rng.uniform(20, 26) * HOUR;
    const from = labelledSlot(lengthMs);
    const wallet = newWallet(from - rng.uniform(1, 12) * HOUR);
    const count = rng.int(150, 250);
    const { times } = runDrive(
      wallet,
      donorPool(count),
      from,
      lengthMs,
      count * rng.uniform(280, 400),
      false,
    );
    label(wallet, 'slow-campaign', sortedIds(take(), times), times);
  }

  // ---- pass-through (mules) ----------------------------------------------------------------------
  for (let i = 0; i < o.mules; i++) {
    const inLength = rng.uniform(1, 4) * HOUR;
    const from = labelledSlot(inLength + 4 * HOUR);
    const mule = newWallet(from - rng.uniform(1, 10) * DAY);
    const payers = rng.int(5, 20);
    const total = rng.uniform(30_000, 150_000);
    const weights = Array.from({ length: payers }, () => rng.uniform(0.5, 1.5));
    const weightSum = weights.reduce((sum, w) => sum + w, 0);
    const times: number[] = [];
    const senders = donorPool(payers);
    senders.forEach((sender, n) => {
      const at = from + rng.uniform(0, inLength);
      times.push(at);
      const amount = Math.round((total * weights[n]!) / weightSum / 10) * 10;
      track(donate(sender, mule, at, amount));
    });
    let outAt = Math.max(...times) + rng.uniform(10, 90) * MINUTE;
    const out = total * rng.uniform(0.85, 0.95);
    const toBank = rng.chance(0.5);
    const legs = toBank ? rng.int(1, 3) : rng.int(2, 3);
    for (let n = 0; n < legs; n++) {
      const target = toBank ? bankRef() : newWallet(outAt - rng.uniform(1, 20) * DAY);
      times.push(outAt);
      track(b.add(outAt, toBank ? 'withdrawal' : 'transfer', out / legs, mule, target, 'app'));
      outAt += rng.uniform(2, 40) * MINUTE;
    }
    label(mule, 'pass-through', sortedIds(take(), times), times);
  }

  // ---- structuring: deposits just below the 15,000 RUB threshold ----------------------------------
  for (let i = 0; i < o.structurers; i++) {
    const person = specialPerson();
    const from = labelledSlot(20 * HOUR);
    const times: number[] = [];
    for (let n = rng.int(3, 6); n > 0; n--) {
      const at = b.rhythmTime(from, from + 20 * HOUR);
      times.push(at);
      const source = rng.chance(0.6) ? rng.pick(terminals) : card();
      const channel = source.startsWith('term') ? 'terminal' : 'card';
      track(b.add(at, 'deposit', Math.round(rng.uniform(13_600, 14_950) / 10) * 10, source, person, channel));
    }
    label(person, 'structuring', sortedIds(take(), times), times);
  }

  // ---- fan-out: a young wallet funded and paying many wallets within hours --------------------------
  for (let i = 0; i < o.fanOuts; i++) {
    const from = labelledSlot(4 * HOUR);
    const wallet = newWallet(from - rng.uniform(1, 20) * DAY);
    const payees = rng.sample(people, rng.int(20, 40));
    const total = payees.length * rng.uniform(2_000, 6_000);
    const times: number[] = [];
    const fundings = rng.int(1, 3);
    for (let n = 0; n < fundings; n++) {
      const at = from + rng.uniform(0, 20) * MINUTE;
      times.push(at);
      track(b.add(at, 'deposit', total / fundings, rng.chance(0.5) ? card() : bankRef(), wallet, 'card'));
    }
    const payFrom = Math.max(...times) + rng.uniform(5, 30) * MINUTE;
    const payLength = rng.uniform(1, 3) * HOUR;
    for (const payee of payees) {
      const at = payFrom + rng.uniform(0, payLength);
      times.push(at);
      track(b.add(at, 'transfer', (total / payees.length) * rng.uniform(0.8, 1.1), wallet, payee, 'app'));
    }
    label(wallet, 'fan-out', sortedIds(take(), times), times);
  }

  return {
    events: b.build(o.duplicateShare, o.reorderShare),
    labels,
    labelledFromMs,
    labelledToMs: endMs,
  };
}

/** Ids recorded in creation order, re-ordered by their event times. */
function sortedIds(eventIds: string[], times: number[]): string[] {
  return eventIds
    .map((id, n) => ({ id, at: times[n]! }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.id);
}
