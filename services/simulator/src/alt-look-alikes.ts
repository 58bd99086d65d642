// The alternative generator's everyday traffic and innocent look-alikes: sessions of top-up-then-spend,
// chain stores settling twice a day, kiosks with loyal morning regulars, collections that arrive in
// group-chat waves, cash-first new users, payroll in two instalments, weekly savings sweeps, and a
// student-dormitory cascade trap.
import type { AltPerson, AltWorld } from './alt-world.js';
import type { Party, Wallet } from './scenario-builder.js';
import { DAY, HOUR, MINUTE } from './scenario-types.js';

interface Customer {
  payer: Party;
  channel: string;
}

/** Everyday life in sessions: a top-up often followed by spending within minutes. */
export function addEverydayTraffic(w: AltWorld): void {
  for (const day of w.days) {
    const factor = day.share * w.rhythm.dayFactor(day.dayStartMs);
    for (const p of w.people) {
      for (let s = w.rng.poisson(p.activity * factor * 0.6); s > 0; s--) {
        let at = w.rhythm.time(day.from, day.to);
        if (w.rng.chance(0.45)) {
          const deposit = p.usesCash
            ? w.b.add(at, 'deposit', w.roundSum(), w.rng.pick(w.terminals), p, 'terminal')
            : w.b.add(at, 'deposit', w.roundSum(), w.rng.pick(p.cards), p, 'card');
          at = w.b.timeOfEvent(deposit) + w.rng.exponential(4 * MINUTE);
        }
        const next = w.rng.weighted([55, 25, 8]);
        if (at >= day.to) continue;
        if (next === 0)
          w.b.add(at, 'payment', w.price(), p, w.rng.pick(w.shops), w.rng.chance(0.6) ? 'qr' : 'app');
        else if (next === 1 && p.contacts.length) {
          // Favourite contacts first: the head of the list gets most transfers.
          const to = p.contacts[Math.floor(p.contacts.length * w.rng.next() ** 3)]!;
          w.b.add(
            at,
            'transfer',
            w.rng.chance(0.7) ? w.roundSum(5000) : w.price(50, 1.6, 20_000),
            p,
            to,
            'sbp',
          );
        } else if (next === 2) w.b.add(at, 'withdrawal', w.roundSum() * 2, p, p.bank, 'app');
      }
    }
  }
}

/** Purchases arriving as a Poisson process through the day, settled to the bank at noon and at night. */
function serve(
  w: AltWorld,
  shop: Wallet,
  fromMs: number,
  perHour: number,
  next: () => Customer,
  priced: () => number,
): string[] {
  const ids: string[] = [];
  const settlement = w.bankAccount();
  let unsettled = 0;
  const settle = (at: number) => {
    if (unsettled <= 0 || at < fromMs || at >= w.t.endMs) return;
    ids.push(w.b.add(at, 'withdrawal', unsettled, shop, settlement, 'bank'));
    unsettled = 0;
  };
  for (const day of w.daysFrom(fromMs)) {
    const settlements = [
      day.dayStartMs + 9 * HOUR + w.rng.uniform(0, 30) * MINUTE,
      day.dayStartMs + 21 * HOUR + w.rng.uniform(0, 60) * MINUTE,
    ];
    for (const at of w.poissonArrivals(perHour, day.from, day.to)) {
      while (settlements.length && settlements[0]! <= at) settle(settlements.shift()!);
      const { payer, channel } = next();
      const amount = priced();
      unsettled += amount;
      ids.push(w.b.add(at, 'payment', amount, payer, shop, channel));
    }
    for (const at of settlements) if (at < day.to) settle(at);
  }
  return ids;
}

function clientele(
  w: AltWorld,
  regulars: AltPerson[],
  regularShare: number,
  strangersPool: number,
  regularPays: (person: AltPerson) => Customer = (person) => w.shopper(person),
): () => Customer {
  const strangers = Array.from({ length: strangersPool }, () => w.card());
  return () => {
    if (regulars.length && w.rng.chance(regularShare)) return regularPays(w.rng.pick(regulars));
    return {
      payer: w.rng.chance(0.8) ? w.rng.pick(strangers) : w.card(),
      channel: w.rng.chance(0.8) ? 'card' : 'nfc',
    };
  };
}

/** A kiosk's first customers: mostly new faces, a loyal share coming back. */
function newClientele(
  w: AltWorld,
  locals: AltPerson[],
  localShare: number,
  loyalty: number,
  localPays: (person: AltPerson) => Customer = (person) => w.shopper(person),
): () => Customer {
  const seen: Customer[] = [];
  return () => {
    if (seen.length > 3 && w.rng.chance(loyalty)) return seen[Math.floor(seen.length * w.rng.next() ** 2)]!;
    const customer =
      locals.length && w.rng.chance(localShare)
        ? localPays(w.rng.pick(locals))
        : w.rng.chance(0.3)
          ? w.shopper(w.rng.pick(w.people))
          : { payer: w.card(), channel: w.rng.chance(0.7) ? 'card' : 'nfc' };
    seen.push(customer);
    return customer;
  };
}

const labelled = (w: AltWorld, ids: string[]) =>
  ids.filter((id) => w.b.timeOfEvent(id) >= w.t.labelledFromMs);
/** Coffee and pastries: a few fixed prices. */
const kioskPrice = (w: AltWorld) => w.rng.pick([120, 150, 180, 220, 250, 290, 350, 420]);

export function addChainStores(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const store = w.phoneWallet(w.t.startMs - w.rng.uniform(200, 3000) * DAY, true);
    const regulars = w.rng.sample(w.people, w.rng.int(100, 600));
    const ids = serve(
      w,
      store,
      w.t.startMs,
      w.rng.uniform(8, 35),
      clientele(w, regulars, 0.4, w.rng.int(500, 2000)),
      () => w.price(90, 1.5, 60_000),
    );
    w.b.label(store, 'merchant', labelled(w, ids));
  }
}

function kioskWallet(w: AltWorld, opensMs: number): Wallet {
  return w.openedAt(
    opensMs - (w.rng.chance(0.4) ? w.rng.uniform(0.3, 3) * HOUR : w.rng.uniform(18, 40) * HOUR),
  );
}

export function addKiosks(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const opensMs = w.t.labelledFromMs + w.rng.uniform(0.5, 30) * HOUR;
    const kiosk = kioskWallet(w, opensMs);
    const ids = serve(
      w,
      kiosk,
      opensMs,
      w.rng.uniform(2, 14),
      newClientele(w, [], 0, w.rng.uniform(0.3, 0.45)),
      () => kioskPrice(w),
    );
    if (ids.length) w.b.label(kiosk, 'new-merchant', ids);
  }
}

/** Friends pay in waves after reminders in the group chat; round sums. */
function collect(w: AltWorld, to: Wallet, friends: AltPerson[], fromMs: number): string[] {
  const times = w.waves(
    friends.length,
    fromMs,
    w.rng.int(2, 3),
    w.rng.uniform(20, 90) * MINUTE,
    w.rng.uniform(2, 8) * HOUR,
  );
  return friends.map((friend, n) =>
    w.rng.chance(0.9)
      ? w.b.add(times[n]!, 'transfer', w.roundSum(3000), friend, to, 'sbp')
      : w.b.add(times[n]!, 'deposit', w.roundSum(3000), friend.cards[0]!, to, 'card'),
  );
}

function spendCollection(w: AltWorld, from: Wallet, ids: string[]): string[] {
  const last = Math.max(...ids.map((id) => w.b.timeOfEvent(id)));
  const at = w.clampToEnd(last + w.rng.uniform(2, 20) * HOUR);
  return [...ids, w.b.add(at, 'payment', w.price(3000, 2.5, 80_000), from, w.rng.pick(w.shops), 'card')];
}

function circleOf(w: AltWorld, person: AltPerson, size: number): AltPerson[] {
  return w.rng.sample(
    [...new Set([...person.contacts, ...w.rng.sample(w.people, 80)])].filter((p) => p.id !== person.id),
    size,
  );
}

export function addBirthdays(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const celebrant = w.specialPerson();
    const ids = collect(
      w,
      celebrant,
      circleOf(w, celebrant, w.rng.int(10, 40)),
      w.slot(20 * HOUR, w.t.labelledFromMs),
    );
    w.b.label(celebrant, 'birthday', w.rng.chance(0.5) ? spendCollection(w, celebrant, ids) : ids);
  }
}

export function addGiftCollections(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const organiser = w.specialPerson();
    const from = w.slot(24 * HOUR, w.t.labelledFromMs);
    const pot = w.openedAt(from - w.rng.uniform(0.2, 30) * HOUR);
    const ids = collect(w, pot, circleOf(w, organiser, w.rng.int(12, 40)), from);
    w.b.label(pot, 'gift-collection', spendCollection(w, pot, ids), { relatedWalletId: organiser.id });
  }
}

/** Cash first: a terminal top-up, then QR purchases and a transfer or two. */
export function addNewUsers(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const from = w.slot(36 * HOUR, w.t.labelledFromMs);
    const wallet = w.openedAt(from - w.rng.exponential(6 * HOUR));
    let at = from;
    const ids = [w.b.add(at, 'deposit', w.roundSum(), w.rng.pick(w.terminals), wallet, 'terminal')];
    for (let n = w.rng.int(2, 8); n > 0; n--) {
      at += w.rng.exponential(3 * HOUR);
      if (at >= w.t.endMs - HOUR) break;
      const kind = w.rng.weighted([60, 20, 20]);
      if (kind === 0)
        ids.push(w.b.add(at, 'payment', w.price(80, 1.8, 8000), wallet, w.rng.pick(w.shops), 'qr'));
      else if (kind === 1)
        ids.push(w.b.add(at, 'transfer', w.roundSum(2000), wallet, w.rng.pick(w.people), 'sbp'));
      else ids.push(w.b.add(at, 'deposit', w.roundSum(), w.card(), wallet, 'card'));
    }
    w.b.label(wallet, 'new-user', ids);
  }
}

/** Advance and salary: the staff paid in a burst of seconds-apart transfers after a bank deposit. */
export function addPayrolls(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const employer = w.establishedWallet();
    const staff = w.rng.sample(w.people, w.rng.int(15, 60));
    const salaries = staff.map(() => Math.round(w.rng.logNormal(Math.log(45_000), 0.5) / 100) * 100);
    const total = salaries.reduce((sum, s) => sum + s, 0);
    const fundedAt = w.slot(2 * HOUR, w.t.labelledFromMs);
    const ids = [w.b.add(fundedAt, 'deposit', total, w.bankAccount(), employer, 'bank')];
    let at = fundedAt + w.rng.uniform(5, 40) * MINUTE;
    staff.forEach((employee, n) => {
      at += w.rng.exponential(8_000);
      ids.push(w.b.add(at, 'transfer', salaries[n]!, employer, employee, 'bank'));
    });
    w.b.label(employer, 'payroll', ids);
  }
}

/** Weekly sweeps from the card to the wallet and on to the person's savings wallet. */
export function addSavingsMovers(w: AltWorld, count: number): void {
  for (let i = 0; i < count; i++) {
    const person = w.specialPerson();
    const savings = w.establishedWallet();
    const ids: string[] = [];
    const sweeps = w.rng.int(1, 2);
    for (let n = 0; n < sweeps; n++) {
      const at = w.rhythm.time(
        w.t.labelledFromMs + n * DAY,
        Math.min(w.t.endMs - 8 * HOUR, w.t.labelledFromMs + (n + 1) * DAY),
      );
      const amount = w.roundSum() * w.rng.int(5, 20);
      ids.push(w.b.add(at, 'deposit', amount, person.cards[0]!, person, 'card'));
      ids.push(w.b.add(at + w.rng.exponential(40 * MINUTE), 'transfer', amount, person, savings, 'app'));
    }
    w.b.label(person, 'savings', ids, { relatedWalletId: savings.id });
  }
}

/**
 * A student dormitory: a canteen opens early in the labelled period and most of its customers are
 * residents, who also use the dormitory shop and the copy centre, chip in for the warden's present
 * and pay each other back for shared taxis.
 */
export function addDormitories(w: AltWorld, count: number): void {
  for (let n = 0; n < count; n++) {
    const residents = w.rng.sample(w.people, w.rng.int(150, 300));
    // Students pay by QR from their wallets; the collection and the paybacks come from those who ate here.
    const byQr = (person: AltPerson): Customer => ({ payer: person, channel: 'qr' });
    const eaters = new Set<AltPerson>();
    const eats = (person: AltPerson) => (eaters.add(person), byQr(person));
    const opensMs = w.t.labelledFromMs + w.rng.uniform(0.5, 6) * HOUR;
    const canteen = kioskWallet(w, opensMs);
    const canteenIds = serve(
      w,
      canteen,
      opensMs,
      w.rng.uniform(10, 20),
      newClientele(w, residents, 0.8, 0.4, eats),
      () => w.rng.pick([95, 140, 185, 230, 275]),
    );
    w.b.label(canteen, 'new-merchant', canteenIds, { role: 'cascade anchor: a dormitory canteen' });
    const related = { relatedWalletId: canteen.id };
    // The dormitory shop, the copy centre, the laundry: students are nearly all of their customers.
    for (let s = w.rng.int(3, 5); s > 0; s--) {
      const shop = w.phoneWallet(w.t.startMs - w.rng.uniform(100, 2000) * DAY, true);
      const ids = serve(
        w,
        shop,
        w.t.startMs,
        w.rng.uniform(3, 7),
        clientele(w, residents, w.rng.uniform(0.85, 0.93), w.rng.int(30, 80), byQr),
        () => w.price(60, 1.7, 9000),
      );
      w.b.label(shop, 'cascade-trap', labelled(w, ids), { ...related, role: 'neighbour merchant' });
    }
    const warden = w.specialPerson();
    const from = opensMs + w.rng.uniform(3, 10) * HOUR;
    const pot = w.rng.chance(0.5) ? w.openedAt(from - w.rng.uniform(0.5, 10) * HOUR) : warden;
    const chipped = collect(
      w,
      pot,
      w.rng.sample([...eaters], w.rng.int(20, 40)).filter((p) => p.id !== warden.id),
      from,
    );
    w.b.label(pot, 'cascade-trap', chipped, { ...related, role: 'neighbourhood collection' });
    for (let r = w.rng.int(4, 8); r > 0; r--) {
      const resident = w.specialPerson();
      const payers = w.rng.sample([...eaters], w.rng.int(5, 12)).filter((p) => p.id !== resident.id);
      const times = w.waves(payers.length, opensMs + w.rng.uniform(2, 12) * HOUR, 2, 30 * MINUTE, 6 * HOUR);
      const ids = payers.map((payer, i) =>
        w.b.add(times[i]!, 'transfer', w.roundSum(1000), payer, resident, 'sbp'),
      );
      w.b.label(resident, 'cascade-trap', ids, { ...related, role: 'resident paid back by neighbours' });
    }
  }
}
