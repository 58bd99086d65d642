// The suspicious typologies as the alternative generator shapes them: donations in re-share waves of
// round sums, many paid in cash at terminals; mules emptied by withdrawals just under a limit; fan-out
// by a script seconds apart; layering in round hundreds of thousands.
import type { WalletMention } from '../../../schemas/wallet-mention.js';
import type { AltWorld } from './alt-world.js';
import type { Party, Wallet } from './scenario-builder.js';
import { DAY, HOUR, MINUTE } from './scenario-types.js';

/** Round donation sums: most give 100, 200 or 500. */
const DONATIONS = [50, 100, 150, 200, 300, 500, 1000, 2000];
const DONATION_WEIGHTS = [4, 30, 6, 22, 10, 18, 8, 2];

interface Drive {
  wallet: Wallet;
  donors: Party[];
  lastMs: number;
}

/** Donors: cards, cash at terminals (the terminal is the payer the processor sees), wallets. */
function donors(w: AltWorld, count: number, mix: [number, number, number] = [55, 25, 20]): Party[] {
  const list: Party[] = [];
  const wallets = w.rng.shuffle([...w.people]);
  for (let i = 0; i < count; i++) {
    const kind = w.rng.weighted(mix);
    list.push(kind === 0 ? w.card() : kind === 1 ? w.rng.pick(w.terminals) : wallets.pop()!);
  }
  return list;
}

function give(w: AltWorld, donor: Party, to: Wallet, at: number): string {
  const amount = DONATIONS[w.rng.weighted(DONATION_WEIGHTS)]!;
  if (typeof donor !== 'string')
    return w.b.add(at, 'transfer', amount, donor, to, w.rng.chance(0.6) ? 'sbp' : 'app');
  return w.b.add(at, 'deposit', amount, donor, to, donor.startsWith('qt/') ? 'terminal' : 'card');
}

/** Donations at the given times; the takings often cashed out in a couple of withdrawals. */
function drive(
  w: AltWorld,
  wallet: Wallet,
  payers: Party[],
  times: number[],
): { ids: string[]; lastMs: number } {
  const ids = payers.map((donor, n) => give(w, donor, wallet, times[n]!));
  const lastMs = Math.max(...times);
  if (w.rng.chance(0.5)) {
    let at = lastMs + w.rng.exponential(40 * MINUTE);
    for (let n = w.rng.int(1, 2); n > 0 && at < w.t.endMs - MINUTE; n--) {
      ids.push(w.b.add(at, 'withdrawal', w.rng.int(10, 40) * 1000, wallet, w.bankAccount(), 'app'));
      at += w.rng.exponential(20 * MINUTE);
    }
  }
  return { ids, lastMs };
}

export function addCampaigns(w: AltWorld, campaigns: number, replacements: number): void {
  const launched: Drive[] = [];
  for (let i = 0; i < campaigns; i++) {
    const from = w.slot(i < replacements ? 16 * HOUR : 6 * HOUR);
    const wallet = w.openedAt(from - w.rng.exponential(5 * HOUR));
    const payers = donors(w, w.rng.int(180, 450));
    const times = w.waves(
      payers.length,
      from,
      w.rng.int(2, 5),
      w.rng.uniform(10, 40) * MINUTE,
      w.rng.uniform(0.5, 2) * HOUR,
    );
    const { ids, lastMs } = drive(w, wallet, payers, times);
    w.b.label(wallet, 'crowdfunding', ids);
    launched.push({ wallet, donors: payers, lastMs });
  }
  for (let i = 0; i < replacements; i++) {
    const original = launched[i]!;
    const from =
      original.lastMs +
      Math.min(w.rng.uniform(4, 48) * HOUR, Math.max(MINUTE, w.roomAfter(original.lastMs) - 4 * HOUR));
    const wallet = w.openedAt(from - w.rng.uniform(0.2, 3) * HOUR);
    const count = w.rng.int(60, 250);
    // Card and wallet donors come back; cash donors may use another terminal.
    const returning = w.rng.sample(
      original.donors.filter((d) => typeof d !== 'string' || !d.startsWith('qt/')),
      Math.round(count * w.rng.uniform(0.3, 0.8)),
    );
    const payers = w.rng.shuffle([...returning, ...donors(w, count - returning.length)]);
    const times = w.waves(payers.length, from, w.rng.int(1, 3), w.rng.uniform(10, 30) * MINUTE, HOUR);
    const { ids } = drive(w, wallet, payers, times);
    w.b.label(wallet, 'replacement-wallet', ids, { relatedWalletId: original.wallet.id });
  }
}

/** A trickle over a day or more: a Poisson process following the evening rhythm. */
export function addSlowCampaigns(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const lengthMs = Math.min(w.rng.uniform(22, 30) * HOUR, w.roomAfter(w.t.suspiciousFromMs));
    const from = w.slot(lengthMs);
    const wallet = w.openedAt(from - w.rng.uniform(7, 14) * DAY);
    const target = w.rng.int(100, 250);
    let times = w.poissonArrivals(target / (lengthMs / HOUR), from, from + lengthMs);
    if (times.length > target) times = w.rng.sample(times, target).sort((a, b) => a - b);
    const payers = donors(w, times.length, [75, 15, 10]);
    w.b.label(wallet, 'slow-campaign', drive(w, wallet, payers, times).ids);
  }
}

/** Mules: a tight burst of round transfers in, then withdrawals of just under 50,000 until ~95 % is out. */
export function addMules(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const from = w.slot(6 * HOUR);
    const mule = w.openedAt(from - w.rng.uniform(2, 9) * DAY);
    const senders = w.rng.sample(w.people, w.rng.int(15, 35));
    let at = from;
    let total = 0;
    const ids = senders.map((sender) => {
      at += w.rng.exponential(w.rng.uniform(2, 8) * MINUTE);
      const amount = w.rng.pick([5000, 7000, 10_000, 15_000, 20_000, 25_000, 30_000, 50_000]);
      total += amount;
      return w.b.add(at, 'transfer', amount, sender, mule, 'sbp');
    });
    let left = total * w.rng.uniform(0.93, 0.97);
    const account = w.bankAccount();
    at += w.rng.uniform(15, 90) * MINUTE;
    while (left > 1000 && at < w.t.endMs - MINUTE) {
      const amount = Math.min(left, 49_000 + w.rng.int(0, 9) * 100);
      ids.push(
        w.b.add(
          at,
          w.rng.chance(0.8) ? 'withdrawal' : 'transfer',
          amount,
          mule,
          w.rng.chance(0.8) ? account : w.rng.pick(w.people),
          'app',
        ),
      );
      left -= amount;
      at += w.rng.exponential(6 * MINUTE);
    }
    w.b.label(mule, 'pass-through', ids);
  }
}

/** Cash deposits of 14,000-14,900 in round hundreds, at different terminals, within a day. */
export function addStructuring(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const person = w.specialPerson();
    const from = w.slot(22 * HOUR);
    const ids: string[] = [];
    for (let n = w.rng.int(3, 7); n > 0; n--) {
      const at = w.rhythm.time(from, from + 22 * HOUR);
      ids.push(
        w.b.add(at, 'deposit', 14_000 + w.rng.int(0, 9) * 100, w.rng.pick(w.terminals), person, 'terminal'),
      );
    }
    w.b.label(person, 'structuring', ids);
  }
}

/** A scripted fan-out: one deposit, then transfers seconds apart to 15-40 wallets. */
export function addFanOuts(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const from = w.slot(2 * HOUR);
    const wallet = w.openedAt(from - w.rng.uniform(0.5, 25) * DAY);
    const payees = w.rng.sample(w.people, w.rng.int(15, 40));
    const each = w.rng.pick([1000, 2000, 3000, 5000]);
    const ids = [w.b.add(from, 'deposit', each * payees.length * 1.02, w.card(), wallet, 'card')];
    let at = from + w.rng.uniform(2, 20) * MINUTE;
    for (const payee of payees) {
      at += w.rng.exponential(15_000);
      ids.push(w.b.add(at, 'transfer', each, wallet, payee, 'sbp'));
    }
    w.b.label(wallet, 'fan-out', ids);
  }
}

/** A post on a channel names the wallet; donations come in waves as it is re-posted. */
export function addWatchlistedCampaigns(w: AltWorld, count: number): WalletMention[] {
  const mentions: WalletMention[] = [];
  for (let i = 0; i < count; i++) {
    const postedAt = w.slot(10 * HOUR);
    const wallet = w.openedAt(postedAt - w.rng.uniform(5, 60) * DAY);
    const payers = donors(w, w.rng.int(20, 100));
    const times = w.waves(
      payers.length,
      postedAt + w.rng.uniform(5, 60) * MINUTE,
      w.rng.int(1, 3),
      45 * MINUTE,
      3 * HOUR,
    );
    w.b.label(wallet, 'watchlisted', drive(w, wallet, payers, times).ids);
    const reposts = w.rng.int(1, 3);
    for (let r = 0; r < reposts; r++) {
      const channel = `t.me/${w.rng.pick(['sbor', 'pomosh', 'brat', 'vera'])}${w.digits(4)}`;
      const at = r === 0 ? postedAt : times[Math.min(times.length - 1, w.rng.int(2, 10))]!;
      mentions.push({
        mentionId: `tg-${w.digits(12)}`,
        walletId: wallet.id,
        source: `${channel}/${w.digits(4)}`,
        seenAt: new Date(Math.floor(at)).toISOString(),
        ...(w.rng.chance(0.5) ? { url: `https://${channel}/${w.digits(4)}` } : {}),
      });
    }
  }
  return mentions.sort((a, b) => a.seenAt.localeCompare(b.seenAt));
}

/** Gather-scatter in round sums over up to three days; receivers paid as funds arrive. */
export function addLayering(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const lengthMs = Math.min(w.rng.uniform(12, 72) * HOUR, w.roomAfter(w.t.suspiciousFromMs));
    const from = w.slot(lengthMs);
    const hub = w.rng.chance(0.5) ? w.specialPerson() : w.openedAt(from - w.rng.uniform(20, 200) * DAY);
    const senders = w.rng.sample(w.people, w.rng.int(5, 15)).filter((p) => p.id !== hub.id);
    const receivers = w.rng.sample(w.people, w.rng.int(5, 15)).filter((p) => p.id !== hub.id);
    const flows = [
      ...senders.map((sender) => ({
        at: from + w.rng.uniform(0, lengthMs * 0.8),
        in: true,
        party: sender as Party,
      })),
      ...receivers.map((receiver) => ({
        at: from + w.rng.uniform(lengthMs * 0.1, lengthMs),
        in: false,
        party: receiver as Party,
      })),
    ].sort((a, b) => a.at - b.at);
    const ids: string[] = [];
    let balance = 0;
    const owed: Party[] = [];
    for (const flow of flows) {
      if (flow.in) {
        const amount = w.rng.int(1, 6) * 50_000;
        balance += amount;
        ids.push(w.b.add(flow.at, 'transfer', amount, flow.party, hub, 'bank'));
      } else owed.push(flow.party);
      // Pay whoever is waiting while the balance lasts, keeping a few per cent back.
      while (owed.length && balance >= 50_000) {
        const amount = Math.min(balance * 0.95, w.rng.int(1, 4) * 50_000);
        balance -= amount;
        ids.push(
          w.b.add(flow.at + w.rng.uniform(1, 30) * MINUTE, 'transfer', amount, hub, owed.shift()!, 'bank'),
        );
      }
    }
    // Whoever is still waiting shares most of what is left at the end; when everyone was paid along
    // the way, a few receivers get a second payment. Either way the hub keeps only a few per cent.
    const lastMs = flows.at(-1)!.at;
    const finalists = owed.length
      ? owed
      : w.rng.sample(receivers, Math.min(receivers.length, w.rng.int(2, 4)));
    finalists.forEach((receiver, n) => {
      const at = w.clampToEnd(lastMs + (n + 1) * w.rng.uniform(5, 40) * MINUTE);
      ids.push(w.b.add(at, 'transfer', (balance * 0.9) / finalists.length, hub, receiver, 'bank'));
    });
    w.b.label(hub, 'layering', ids);
  }
}
