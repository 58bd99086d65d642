// The suspicious typologies of the main generator, all placed at or after the timeline's
// `suspiciousFromMs`: campaigns fast and slow, replacement wallets, mules, structuring, fan-out, a
// campaign whose wallet is named in a public post (the watchlist), and gather-scatter layering.
import type { WalletMention } from '../../../schemas/wallet-mention.js';
import type { MainWorld } from './main-world.js';
import type { Party, Wallet } from './scenario-builder.js';
import { DAY, HOUR, MINUTE } from './scenario-types.js';

/** The seed campaign: about 95,000 RUB in a few hours. */
const SEED_CAMPAIGN_TOTAL = 95_000;

interface Campaign {
  wallet: Wallet;
  donors: Party[];
  spare: Party[];
  lastMs: number;
}

/** Distinct payers: mostly cards, some wallets of ordinary people, a few cash-ins at terminals. */
function donorPool(w: MainWorld, size: number, walletShare = 0.15): Party[] {
  const wallets = Array.from({ length: size }, () => w.rng.chance(walletShare)).filter(Boolean).length;
  const donors: Party[] = w.rng.sample(w.people, wallets);
  while (donors.length < size) donors.push(w.rng.chance(0.05) ? w.rng.pick(w.terminals) : w.card());
  return w.rng.shuffle(donors);
}

function donate(w: MainWorld, payer: Party, to: Wallet, at: number, amount: number): string {
  if (typeof payer !== 'string') return w.b.add(at, 'transfer', amount, payer, to, 'app');
  return w.b.add(at, 'deposit', amount, payer, to, payer.startsWith('term') ? 'terminal' : 'card');
}

/** Donation amounts of 100-1000 RUB around ~300, scaled so the campaign totals about `total`. */
function donationAmounts(w: MainWorld, count: number, total: number): number[] {
  const raw = Array.from({ length: count }, () => w.rng.logNormal(Math.log(300), 0.55));
  const scale = total / raw.reduce((sum, x) => sum + x, 0);
  return raw.map((x) => Math.min(1000, Math.max(100, Math.round((x * scale) / 10) * 10)));
}

/** Runs a donation drive; often the takings are withdrawn an hour or so after the last donation. */
function runDrive(
  w: MainWorld,
  wallet: Wallet,
  donors: Party[],
  fromMs: number,
  lengthMs: number,
  total: number,
  shape: 'front-loaded' | 'all-day',
): { ids: string[]; lastMs: number } {
  const amounts = donationAmounts(w, donors.length, total);
  const ids = donors.map((donor, n) => {
    // A re-shared post brings most donations early; a slow campaign follows the day's rhythm.
    const u = w.rng.next();
    const at =
      shape === 'front-loaded'
        ? fromMs + lengthMs * (1 - Math.sqrt(1 - u))
        : w.rhythm.time(fromMs, fromMs + lengthMs);
    return donate(w, donor, wallet, w.clampToEnd(at), amounts[n]!);
  });
  const lastMs = Math.max(...ids.map((id) => w.b.timeOfEvent(id)));
  if (w.rng.chance(0.6)) {
    const at = w.clampToEnd(lastMs + w.rng.uniform(10, 90) * MINUTE);
    const raised = amounts.reduce((sum, a) => sum + a, 0);
    ids.push(w.b.add(at, 'withdrawal', raised * w.rng.uniform(0.8, 0.95), wallet, w.bankRef(), 'app'));
  }
  return { ids, lastMs };
}

/** Fast campaigns (hundreds of donors in hours); the first ones are replaced within a day or two. */
export function addCampaigns(w: MainWorld, campaigns: number, replacements: number): void {
  const launched: Campaign[] = [];
  for (let i = 0; i < campaigns; i++) {
    const hasReplacement = i < replacements;
    const lengthMs = w.rng.uniform(2, 6) * HOUR;
    // Leave room for the replacement: it starts 6 h to 2 days after the campaign stops.
    const from = w.slot(lengthMs + (hasReplacement ? 14 * HOUR : 0));
    const wallet = w.openedAt(from - w.rng.uniform(1, 12) * HOUR);
    const count = w.rng.int(200, 500);
    const pool = donorPool(w, Math.round(count * 1.5));
    const donors = pool.slice(0, count);
    const total = SEED_CAMPAIGN_TOTAL * w.rng.uniform(0.8, 1.2);
    const { ids, lastMs } = runDrive(w, wallet, donors, from, lengthMs, total, 'front-loaded');
    w.b.label(wallet, 'crowdfunding', ids);
    launched.push({ wallet, donors, spare: pool.slice(count), lastMs });
  }
  for (let i = 0; i < replacements; i++) {
    const original = launched[i]!;
    const room = w.roomAfter(original.lastMs);
    const gapMs = Math.min(w.rng.uniform(6, 48) * HOUR, Math.max(MINUTE, room - 3 * HOUR));
    const from = original.lastMs + gapMs;
    const lengthMs = Math.min(w.rng.uniform(2, 5) * HOUR, w.roomAfter(from));
    const wallet = w.openedAt(Math.max(original.lastMs, from - w.rng.uniform(1, 5) * HOUR));
    const count = w.rng.int(80, 300);
    const returning = w.rng.sample(original.donors, Math.round(count * w.rng.uniform(0.4, 0.7)));
    const taken = new Set(returning);
    const fresh = [...new Set([...original.spare, ...donorPool(w, count)])]
      .filter((donor) => !taken.has(donor))
      .slice(0, count - returning.length);
    const donors = w.rng.shuffle([...returning, ...fresh]);
    const { ids } = runDrive(
      w,
      wallet,
      donors,
      from,
      lengthMs,
      count * w.rng.uniform(250, 380),
      'front-loaded',
    );
    w.b.label(wallet, 'replacement-wallet', ids, { relatedWalletId: original.wallet.id });
  }
}

/** ~100-250 card payers over about a day into a wallet opened ~10 days earlier. */
export function addSlowCampaigns(w: MainWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const lengthMs = Math.min(w.rng.uniform(20, 28) * HOUR, w.roomAfter(w.t.suspiciousFromMs));
    const from = w.slot(lengthMs);
    const wallet = w.openedAt(from - w.rng.uniform(8, 12) * DAY);
    // The first is the hidden stream's case, about a hundred payers; the others up to 250.
    const donors = donorPool(w, i === 0 ? w.rng.int(90, 130) : w.rng.int(130, 250), 0.08);
    const { ids } = runDrive(
      w,
      wallet,
      donors,
      from,
      lengthMs,
      donors.length * w.rng.uniform(280, 400),
      'all-day',
    );
    w.b.label(wallet, 'slow-campaign', ids);
  }
}

/** Mules: 15-35 large transfers in, ~95 % withdrawn or sent on within hours; opened days before. */
export function addMules(w: MainWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const inLength = w.rng.uniform(1, 5) * HOUR;
    const from = w.slot(inLength + 5 * HOUR);
    const mule = w.openedAt(from - w.rng.uniform(3, 12) * DAY);
    const senders = w.rng.sample(w.people, w.rng.int(15, 35));
    let total = 0;
    const ids = senders.map((sender) => {
      const amount = Math.round(w.rub(12_000, 0.6, 3_000, 90_000) / 100) * 100;
      total += amount;
      return w.b.add(from + w.rng.uniform(0, inLength), 'transfer', amount, sender, mule, 'app');
    });
    let outAt = Math.max(...ids.map((id) => w.b.timeOfEvent(id))) + w.rng.uniform(10, 120) * MINUTE;
    const out = total * w.rng.uniform(0.92, 0.97);
    const toBank = w.rng.chance(0.5);
    const legs = toBank ? w.rng.int(1, 4) : w.rng.int(2, 4);
    for (let n = 0; n < legs; n++) {
      const target = toBank ? w.bankRef() : w.openedAt(outAt - w.rng.uniform(1, 20) * DAY);
      ids.push(
        w.b.add(w.clampToEnd(outAt), toBank ? 'withdrawal' : 'transfer', out / legs, mule, target, 'app'),
      );
      outAt += w.rng.uniform(2, 40) * MINUTE;
    }
    w.b.label(mule, 'pass-through', ids);
  }
}

/** Deposits just below the 15,000 RUB threshold within a day. */
export function addStructuring(w: MainWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const person = w.specialPerson();
    const from = w.slot(20 * HOUR);
    const ids: string[] = [];
    for (let n = w.rng.int(3, 6); n > 0; n--) {
      const at = w.rhythm.time(from, from + 20 * HOUR);
      const terminal = w.rng.chance(0.6);
      const source = terminal ? w.rng.pick(w.terminals) : w.card();
      const amount = Math.round(w.rng.uniform(13_600, 14_950) / 10) * 10;
      ids.push(w.b.add(at, 'deposit', amount, source, person, terminal ? 'terminal' : 'card'));
    }
    w.b.label(person, 'structuring', ids);
  }
}

/** A young wallet funded and paying many wallets within hours. */
export function addFanOuts(w: MainWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const from = w.slot(4 * HOUR);
    const wallet = w.openedAt(from - w.rng.uniform(1, 20) * DAY);
    const payees = w.rng.sample(w.people, w.rng.int(20, 40));
    const total = payees.length * w.rng.uniform(2_000, 6_000);
    const ids: string[] = [];
    const fundings = w.rng.int(1, 3);
    for (let n = 0; n < fundings; n++) {
      const at = from + w.rng.uniform(0, 20) * MINUTE;
      ids.push(
        w.b.add(at, 'deposit', total / fundings, w.rng.chance(0.5) ? w.card() : w.bankRef(), wallet, 'card'),
      );
    }
    const payFrom = Math.max(...ids.map((id) => w.b.timeOfEvent(id))) + w.rng.uniform(5, 30) * MINUTE;
    const payLength = w.rng.uniform(1, 3) * HOUR;
    for (const payee of payees) {
      const at = payFrom + w.rng.uniform(0, payLength);
      ids.push(
        w.b.add(at, 'transfer', (total / payees.length) * w.rng.uniform(0.8, 1.1), wallet, payee, 'app'),
      );
    }
    w.b.label(wallet, 'fan-out', ids);
  }
}

/**
 * A campaign whose wallet id appears in a public fundraising post before or during its first
 * donations: a modest drive (25-120 donors over hours) into a wallet opened days to weeks earlier.
 * Returns the mentions compliance would feed to FlowGuard.
 */
export function addWatchlistedCampaigns(w: MainWorld, count: number): WalletMention[] {
  const mentions: WalletMention[] = [];
  for (let i = 0; i < count; i++) {
    const lengthMs = w.rng.uniform(3, 12) * HOUR;
    const from = w.slot(lengthMs);
    const wallet = w.openedAt(from - w.rng.uniform(2, 30) * DAY);
    const donors = donorPool(w, w.rng.int(25, 120));
    const { ids } = runDrive(
      w,
      wallet,
      donors,
      from,
      lengthMs,
      donors.length * w.rng.uniform(250, 450),
      'front-loaded',
    );
    w.b.label(wallet, 'watchlisted', ids);
    const times = ids.map((id) => w.b.timeOfEvent(id)).sort((a, b) => a - b);
    // Seen before the drive starts, or between two of its first few donations.
    const k = w.rng.int(1, 5);
    const seenAt = w.rng.chance(0.6)
      ? from - w.rng.uniform(0.5, 6) * HOUR
      : times[k]! + (times[k + 1]! - times[k]!) * w.rng.next();
    const posts = w.rng.chance(0.5) ? 2 : 1;
    for (let p = 0; p < posts; p++) {
      const club = w.rng.int(10_000_000, 199_999_999);
      const post = w.rng.int(1_000, 99_999);
      const at = seenAt + p * w.rng.uniform(1, 4) * HOUR;
      mentions.push({
        mentionId: w.b.id('mention', 10),
        walletId: wallet.id,
        source: `vk.com/club${club} post ${post}`,
        url: `https://vk.com/wall-${club}_${post}`,
        seenAt: new Date(Math.floor(at)).toISOString(),
        note: p === 0 ? 'fundraising post naming the wallet' : 'the same details re-shared',
      });
    }
  }
  return mentions.sort((a, b) => a.seenAt.localeCompare(b.seenAt));
}

/**
 * Layering: an established wallet gathers large sums from 5-12 senders and passes most of it on to
 * 5-12 receivers over up to 72 h, paying out while it still gathers.
 */
export function addLayering(w: MainWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const lengthMs = Math.min(w.rng.uniform(24, 72) * HOUR, w.roomAfter(w.t.suspiciousFromMs));
    const from = w.slot(lengthMs);
    const hub = w.specialPerson();
    const gathers = w.rng.sample(w.people, w.rng.int(5, 12)).filter((p) => p.id !== hub.id);
    const inflows = gathers
      .map((sender) => ({
        at: from + w.rng.uniform(0, 0.7 * lengthMs),
        amount: Math.round(w.rub(60_000, 0.6, 20_000, 300_000) / 1000) * 1000,
        sender,
      }))
      .sort((a, b) => a.at - b.at);
    const total = inflows.reduce((sum, x) => sum + x.amount, 0);
    const receivers = w.rng.int(5, 12);
    const outTotal = total * w.rng.uniform(0.85, 0.95);
    const shares = Array.from({ length: receivers }, () => w.rng.uniform(0.6, 1.4));
    const shareSum = shares.reduce((sum, s) => sum + s, 0);
    const ids = inflows.map((x) => w.b.add(x.at, 'transfer', x.amount, x.sender, hub, 'app'));
    // Each payment leaves once enough has come in to cover it.
    let received = 0;
    let sent = 0;
    let next = 0;
    let at = inflows[1]?.at ?? from;
    for (const share of shares) {
      const amount = (outTotal * share) / shareSum;
      while (next < inflows.length && received < sent + amount) received += inflows[next++]!.amount;
      at = Math.max(at, inflows[Math.max(0, next - 1)]!.at) + w.rng.uniform(10, 6 * 60) * MINUTE;
      sent += amount;
      const target = w.rng.chance(0.6) ? w.rng.pick(w.people.filter((p) => p.id !== hub.id)) : w.bankRef();
      const type = typeof target === 'string' ? 'withdrawal' : 'transfer';
      ids.push(w.b.add(w.clampToEnd(Math.min(at, from + lengthMs)), type, amount, hub, target, 'app'));
    }
    w.b.label(hub, 'layering', ids);
  }
}
