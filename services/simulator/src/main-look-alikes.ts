// The innocent look-alikes of the main generator: shops old and new, collections among friends, new
// users, payroll, savings moves, and the cascade trap (a neighbourhood whose people pay the same shops
// and chip into the same collections, so one false alert there would spread as replacement alerts).
import type { Person, MainWorld } from './main-world.js';
import type { Party, Wallet } from './scenario-builder.js';
import { DAY, HOUR, MINUTE } from './scenario-types.js';

interface Customer {
  payer: Party;
  channel: string;
}

interface Shop {
  wallet: Wallet;
  /** First instant it trades (opening day or the stream's start). */
  fromMs: number;
  /** Purchases on a full day. */
  dailyLevel: number;
  nextCustomer: () => Customer;
}

/** Card and app purchases during opening hours (8:00-22:00 UTC), the takings withdrawn after closing. */
function trade(w: MainWorld, shop: Shop): string[] {
  const { rng, b } = w;
  const payout = w.bankRef();
  const ids: string[] = [];
  for (const { dayStartMs, from, to } of w.daysFrom(shop.fromMs)) {
    const openMs = Math.max(from, dayStartMs + 8 * HOUR);
    const closeMs = Math.min(to, dayStartMs + 22 * HOUR);
    if (closeMs <= openMs) continue;
    const count = Math.round(
      ((shop.dailyLevel * (closeMs - openMs)) / (14 * HOUR)) * rng.uniform(0.85, 1.15),
    );
    let takings = 0;
    for (let i = 0; i < count; i++) {
      const { payer, channel } = shop.nextCustomer();
      const amount = w.rub(350, 0.7, 20, 20_000);
      takings += amount;
      ids.push(b.add(w.rhythm.time(openMs, closeMs), 'payment', amount, payer, shop.wallet, channel));
    }
    const payoutMs = dayStartMs + rng.uniform(22, 23.9) * HOUR;
    if (takings > 0 && payoutMs >= from && payoutMs < to) {
      ids.push(b.add(payoutMs, 'withdrawal', takings * rng.uniform(0.9, 1), shop.wallet, payout, 'app'));
    }
  }
  return ids;
}

/** Favourite customers come back most often (u^2 skews towards the front of the list). */
function skewed<T>(w: MainWorld, list: readonly T[]): T {
  return list[Math.floor(list.length * w.rng.next() ** 2)]!;
}

/** Regular wallet and card customers, and walk-ins: an established shop's clientele. */
function establishedClientele(
  w: MainWorld,
  regulars: Person[],
  regularShare: number,
  options: { cardPool?: number; regularPays?: (person: Person) => Customer } = {},
): () => Customer {
  const cards = Array.from({ length: options.cardPool ?? w.rng.int(300, 700) }, () => w.card());
  const pays = options.regularPays ?? ((person: Person) => w.shopper(person));
  return () => {
    if (w.rng.chance(regularShare)) return pays(skewed(w, regulars));
    return { payer: w.rng.chance(0.7) ? skewed(w, cards) : w.card(), channel: 'card' };
  };
}

/** A new shop's first customers: mostly strangers, some coming back, some from `locals` (front first). */
function newClientele(
  w: MainWorld,
  locals: Person[],
  localShare: number,
  repeatShare: number,
  localPays: (person: Person) => Customer = (person) => w.shopper(person),
): () => Customer {
  const seen: Customer[] = [];
  return () => {
    if (seen.length && w.rng.chance(repeatShare)) return w.rng.pick(seen);
    const customer = w.rng.chance(localShare)
      ? localPays(skewed(w, locals))
      : w.rng.chance(0.25)
        ? w.shopper(w.rng.pick(w.people))
        : { payer: w.card(), channel: 'card' };
    seen.push(customer);
    return customer;
  };
}

/** Labels only what happens in the labelled period, as the warm-up is history, not a test. */
function inLabelledPeriod(w: MainWorld, ids: string[]): string[] {
  return ids.filter((id) => w.b.timeOfEvent(id) >= w.t.labelledFromMs);
}

export function addEstablishedMerchants(w: MainWorld, count: number): void {
  for (let m = 0; m < count; m++) {
    const wallet = w.b.wallet(w.t.startMs - w.rng.uniform(400, 1500) * DAY, true);
    const regulars = w.rng.sample(w.people, w.rng.int(150, 400));
    const ids = trade(w, {
      wallet,
      fromMs: w.t.startMs,
      dailyLevel: w.rng.int(150, 600),
      nextCustomer: establishedClientele(w, regulars, 0.55),
    });
    w.b.label(wallet, 'merchant', inLabelledPeriod(w, ids));
  }
}

/** When a new shop opens: in the labelled period, in trading hours (8:00-20:00 UTC). */
function openingTime(w: MainWorld, latestAfterLabelledMs: number): number {
  const at = w.t.labelledFromMs + w.rng.uniform(HOUR, latestAfterLabelledMs);
  const dayStartMs = Math.floor(at / DAY) * DAY;
  const hour = (at - dayStartMs) / HOUR;
  if (hour < 8) return dayStartMs + w.rng.uniform(8, 10) * HOUR;
  if (hour >= 20) return dayStartMs + DAY + w.rng.uniform(8, 10) * HOUR;
  return at;
}

/** A shop opened an hour or a day before its first sale, whose opening time the processor sends. */
function newShopWallet(w: MainWorld, opensMs: number): Wallet {
  const ageMs = w.rng.chance(0.5) ? w.rng.uniform(0.5, 2) * HOUR : w.rng.uniform(20, 28) * HOUR;
  return w.openedAt(opensMs - ageMs);
}

export function addNewMerchants(w: MainWorld, count: number): void {
  for (let m = 0; m < count; m++) {
    const opensMs = openingTime(w, 30 * HOUR);
    const wallet = newShopWallet(w, opensMs);
    const ids = trade(w, {
      wallet,
      fromMs: opensMs,
      dailyLevel: w.rng.int(40, 250),
      nextCustomer: newClientele(w, [], 0, w.rng.uniform(0.15, 0.3)),
    });
    w.b.label(wallet, 'new-merchant', ids);
  }
}

/** Friends chip in: mostly transfers from their wallets, some by card; round sums. */
function chipIn(w: MainWorld, to: Wallet, friends: Person[], fromMs: number, lengthMs: number): string[] {
  return friends.map((friend) => {
    const at = w.clampToEnd(w.rhythm.time(fromMs, fromMs + lengthMs));
    const amount = Math.round(w.rub(700, 0.5, 200, 3000) / 50) * 50;
    return w.rng.chance(0.85)
      ? w.b.add(at, 'transfer', amount, friend, to, 'app')
      : w.b.add(at, 'deposit', amount, friend.card, to, 'card');
  });
}

/** The present bought with the collection, an hour or two after the last friend paid. */
function buyPresent(w: MainWorld, from: Wallet, ids: string[]): string[] {
  const lastMs = Math.max(...ids.map((id) => w.b.timeOfEvent(id)));
  const at = w.clampToEnd(lastMs + w.rng.uniform(0.5, 2) * HOUR);
  return [...ids, w.b.add(at, 'payment', w.rng.uniform(6_000, 30_000), from, w.rng.pick(w.shops), 'app')];
}

function friendsOf(w: MainWorld, person: Person, count: number): Person[] {
  const circle = [...person.friends, ...w.rng.sample(w.people, 60)].filter((p) => p.id !== person.id);
  return w.rng.sample([...new Set(circle)], count);
}

export function addBirthdays(w: MainWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const celebrant = w.specialPerson();
    const from = w.slot(16 * HOUR, w.t.labelledFromMs);
    const ids = chipIn(
      w,
      celebrant,
      friendsOf(w, celebrant, w.rng.int(10, 40)),
      from,
      w.rng.uniform(4, 14) * HOUR,
    );
    w.b.label(celebrant, 'birthday', w.rng.chance(0.7) ? buyPresent(w, celebrant, ids) : ids);
  }
}

/** A wallet opened for the occasion (hours or a day or two before), up to ~40 friends pay in. */
export function addGiftCollections(w: MainWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const organiser = w.specialPerson();
    const from = w.slot(26 * HOUR, w.t.labelledFromMs);
    const wallet = w.openedAt(from - w.rng.uniform(0.5, 48) * HOUR);
    const friends = friendsOf(w, organiser, w.rng.int(12, 40));
    const ids = chipIn(w, wallet, friends, from, w.rng.uniform(3, 24) * HOUR);
    w.b.label(wallet, 'gift-collection', buyPresent(w, wallet, ids), { relatedWalletId: organiser.id });
  }
}

/** Young wallets: own card or terminal top-ups, then a few purchases and transfers to friends. */
export function addNewUsers(w: MainWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const from = w.slot(30 * HOUR, w.t.labelledFromMs);
    const wallet = w.openedAt(from - w.rng.uniform(0.2, 72) * HOUR);
    const card = w.card();
    const ids: string[] = [];
    for (let n = w.rng.int(1, 3); n > 0; n--) {
      const at = w.rhythm.time(from, from + 28 * HOUR);
      ids.push(
        w.rng.chance(0.75)
          ? w.b.add(
              at,
              'deposit',
              Math.round(w.rub(2000, 0.7, 200, 30_000) / 100) * 100,
              card,
              wallet,
              'card',
            )
          : w.b.add(
              at,
              'deposit',
              w.rub(1000, 0.6, 100, 15_000),
              w.rng.pick(w.terminals),
              wallet,
              'terminal',
            ),
      );
    }
    const firstMs = Math.min(...ids.map((id) => w.b.timeOfEvent(id)));
    for (let n = w.rng.int(1, 5); n > 0; n--) {
      const at = w.rhythm.time(firstMs + 5 * MINUTE, firstMs + 30 * HOUR);
      ids.push(
        w.b.add(w.clampToEnd(at), 'payment', w.rub(500, 0.8, 50, 5000), wallet, w.rng.pick(w.shops), 'app'),
      );
    }
    for (let n = w.rng.int(0, 3); n > 0; n--) {
      const at = w.rhythm.time(firstMs + 5 * MINUTE, firstMs + 30 * HOUR);
      ids.push(
        w.b.add(
          w.clampToEnd(at),
          'transfer',
          w.rub(500, 0.7, 100, 3000),
          wallet,
          w.rng.pick(w.people),
          'app',
        ),
      );
    }
    w.b.label(wallet, 'new-user', ids);
  }
}

/** An established employer pays its staff within an hour of funding the wallet from its bank. */
export function addPayrolls(w: MainWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const employer = w.oldWallet();
    const bank = w.bankRef();
    // A little everyday history so the employer is not a blank wallet.
    for (const { from, to, share } of w.days) {
      for (let n = w.rng.poisson(1.5 * share); n > 0; n--) {
        w.b.add(
          w.rhythm.time(from, to),
          'payment',
          w.rub(8_000, 0.8, 500),
          employer,
          w.rng.pick(w.shops),
          'web',
        );
      }
    }
    const staff = w.rng.sample(w.people, w.rng.int(20, 40));
    const salaries = staff.map(() => w.rub(55_000, 0.35, 20_000, 250_000));
    const fundedAt = w.slot(3 * HOUR, w.t.labelledFromMs);
    const total = salaries.reduce((sum, s) => sum + s, 0);
    const ids = [w.b.add(fundedAt, 'deposit', total * w.rng.uniform(1.02, 1.1), bank, employer, 'bank')];
    staff.forEach((employee, n) => {
      const at = fundedAt + w.rng.uniform(10 * MINUTE, 60 * MINUTE);
      ids.push(w.b.add(at, 'transfer', salaries[n]!, employer, employee, 'web'));
    });
    w.b.label(employer, 'payroll', ids);
  }
}

/** Own card → wallet → own second wallet within hours. */
export function addSavingsMovers(w: MainWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const person = w.specialPerson();
    const second = w.oldWallet();
    const at = w.rhythm.time(w.t.labelledFromMs, w.t.endMs - 6 * HOUR);
    const amount = Math.round(w.rng.uniform(20_000, 80_000) / 100) * 100;
    const movedAt = at + w.rng.uniform(0.3, 4) * HOUR;
    const ids = [
      w.b.add(at, 'deposit', amount, person.card, person, 'card'),
      w.b.add(movedAt, 'transfer', amount * w.rng.uniform(0.7, 0.95), person, second, 'app'),
    ];
    w.b.label(person, 'savings', ids, { relatedWalletId: second.id });
  }
}

/**
 * A neighbourhood: a new café opens early in the labelled period; its customers are mostly residents
 * who also buy at the local shops (bakery, pharmacy, hairdresser: residents are nearly all their
 * customers), pay each other back and chip into neighbours' collections. The café is labelled a new
 * merchant; the shops, the collections and the residents who take money from several neighbours are
 * labelled `cascade-trap`, related to the café.
 */
export function addCascadeTraps(w: MainWorld, count: number): void {
  for (let n = 0; n < count; n++) {
    const residents = w.rng.sample(w.people, w.rng.int(120, 220));
    // Local shops take wallet payments (QR in the app): the same payer id everywhere in the neighbourhood.
    const byWallet = (person: Person): Customer => ({ payer: person, channel: 'app' });
    const opensMs = openingTime(w, 8 * HOUR);
    const cafe = newShopWallet(w, opensMs);
    const cafeIds = trade(w, {
      wallet: cafe,
      fromMs: opensMs,
      dailyLevel: w.rng.int(120, 250),
      nextCustomer: newClientele(w, residents, 0.7, 0.25, byWallet),
    });
    w.b.label(cafe, 'new-merchant', cafeIds, { role: 'cascade anchor: a neighbourhood café' });
    const related = { relatedWalletId: cafe.id };

    for (let s = w.rng.int(3, 5); s > 0; s--) {
      const shop = w.b.wallet(w.t.startMs - w.rng.uniform(300, 1500) * DAY, true);
      const ids = trade(w, {
        wallet: shop,
        fromMs: w.t.startMs,
        dailyLevel: w.rng.int(50, 150),
        nextCustomer: establishedClientele(w, residents, w.rng.uniform(0.8, 0.92), {
          cardPool: w.rng.int(40, 120),
          regularPays: byWallet,
        }),
      });
      w.b.label(shop, 'cascade-trap', inLabelledPeriod(w, ids), { ...related, role: 'neighbour merchant' });
    }

    // The neighbours everyone knows are the café's regulars too (the front of the residents list).
    const core = residents.slice(0, 60);
    const afterOpening = opensMs + w.rng.uniform(4, 8) * HOUR;
    for (let c = w.rng.int(1, 2); c > 0; c--) {
      const organiser = w.specialPerson();
      const from = afterOpening + w.rng.uniform(0, 8) * HOUR;
      const collection = w.rng.chance(0.5) ? w.openedAt(from - w.rng.uniform(1, 30) * HOUR) : organiser;
      const friends = w.rng.sample(core, w.rng.int(15, 35)).filter((p) => p.id !== organiser.id);
      const collected = chipIn(w, collection, friends, from, Math.min(w.roomAfter(from), 14 * HOUR));
      w.b.label(collection, 'cascade-trap', buyPresent(w, collection, collected), {
        ...related,
        role: 'neighbourhood collection',
      });
    }

    // Dinner bills and club dues: residents paid back by several neighbours.
    for (let r = w.rng.int(6, 12); r > 0; r--) {
      const resident = w.specialPerson();
      const payers = w.rng.sample(core, w.rng.int(5, 10)).filter((p) => p.id !== resident.id);
      const from = afterOpening + w.rng.uniform(0, 6) * HOUR;
      const room = w.roomAfter(from);
      const ids = payers.map((payer) => {
        const at = w.clampToEnd(w.rhythm.time(from, from + room));
        const amount = Math.round(w.rub(800, 0.5, 100, 5000) / 10) * 10;
        return w.b.add(at, 'transfer', amount, payer, resident, 'app');
      });
      w.b.label(resident, 'cascade-trap', ids, { ...related, role: 'resident paid back by neighbours' });
    }
  }
}
