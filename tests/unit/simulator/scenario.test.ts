import { describe, expect, it } from 'vitest';
import { TransactionEventSchema, type TransactionEventInput } from '../../../schemas/transaction-event.js';
import { WalletMentionSchema } from '../../../schemas/wallet-mention.js';
import {
  generateScenario,
  messageKey,
  SUSPICIOUS_TYPOLOGIES,
  INNOCENT_TYPOLOGIES,
  type Label,
  type Scenario,
  type ScenarioOverrides,
} from '../../../services/simulator/src/scenario.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = new Date('2025-03-03T00:00:00Z');
// Small enough to run in a second, large enough to hold every typology.
const SMALL: ScenarioOverrides = { start: START, ordinaryWallets: 600, warmUpDays: 3, days: 2 };

const payerOf = (e: TransactionEventInput) => e.fromWalletId ?? e.fromRef!;

function eventsOf(s: Scenario) {
  const byId = new Map(s.events.map((e) => [e.eventId, e]));
  return (label: Label) => label.eventIds.map((id) => byId.get(id)!);
}

function inbound(s: Scenario, label: Label) {
  return eventsOf(s)(label).filter((e) => e.toWalletId === label.walletId);
}

describe('generateScenario', () => {
  it('gives identical events, labels and mentions for the same seed, different ones for another', () => {
    const a = generateScenario({ ...SMALL, seed: 11, duplicateShare: 0.02, reorderShare: 0.01 });
    const b = generateScenario({ ...SMALL, seed: 11, duplicateShare: 0.02, reorderShare: 0.01 });
    expect(b.events).toEqual(a.events);
    expect(b.labels).toEqual(a.labels);
    expect(b.mentions).toEqual(a.mentions);
    const c = generateScenario({ ...SMALL, seed: 12 });
    expect(c.events.slice(0, 50)).not.toEqual(a.events.slice(0, 50));
  });

  it('emits only events that pass the input contract, keyed by a wallet', () => {
    const { events } = generateScenario({ ...SMALL, seed: 5 });
    for (const event of events) {
      const result = TransactionEventSchema.safeParse(event);
      expect(result.success, JSON.stringify(event)).toBe(true);
      expect(messageKey(event)).toBe(event.toWalletId ?? event.fromWalletId);
    }
  });

  it('orders events by occurredAt when nothing is reordered', () => {
    const times = generateScenario({ ...SMALL, seed: 5 }).events.map((e) => Date.parse(e.occurredAt));
    expect(times.every((t, i) => i === 0 || times[i - 1]! <= t)).toBe(true);
  });

  it('sends duplicates with the same eventId and identical content', () => {
    const { events } = generateScenario({ ...SMALL, seed: 9, duplicateShare: 0.05 });
    const byId = new Map<string, unknown[]>();
    for (const e of events) byId.set(e.eventId, [...(byId.get(e.eventId) ?? []), e]);
    const repeated = [...byId.values()].filter((copies) => copies.length > 1);
    expect(repeated.length).toBeGreaterThan(events.length * 0.03);
    for (const copies of repeated) expect(copies[1]).toEqual(copies[0]);
    expect(generateScenario({ ...SMALL, seed: 9 }).events).toHaveLength(byId.size);
  });

  it('labels every typology, with events that exist and touch the labelled wallet', () => {
    for (const mode of ['warm', 'fresh'] as const) {
      const s = generateScenario({ ...SMALL, mode, warmUpDays: mode === 'warm' ? 3 : 0, seed: 8 });
      const ids = new Set(s.events.map((e) => e.eventId));
      expect(new Set(s.labels.map((l) => l.typology))).toEqual(
        new Set([...SUSPICIOUS_TYPOLOGIES, ...INNOCENT_TYPOLOGIES]),
      );
      for (const label of s.labels) {
        expect(label.eventIds.length, label.typology).toBeGreaterThan(0);
        for (const id of label.eventIds) expect(ids.has(id), `${label.typology} ${id}`).toBe(true);
        for (const e of eventsOf(s)(label)) {
          expect([e.toWalletId, e.fromWalletId]).toContain(label.walletId);
        }
        expect(label.innocent === true).toBe(
          (INNOCENT_TYPOLOGIES as readonly string[]).includes(label.typology),
        );
      }
      // One wallet, one label: a wallet cannot be both innocent and suspicious.
      expect(new Set(s.labels.map((l) => l.walletId)).size).toBe(s.labels.length);
    }
  });

  it('keeps every event inside the stream and the suspicious typologies inside their period', () => {
    const s = generateScenario({ ...SMALL, seed: 8 });
    for (const e of s.events) {
      expect(Date.parse(e.occurredAt)).toBeGreaterThanOrEqual(s.streamStartMs);
      expect(Date.parse(e.occurredAt)).toBeLessThan(s.labelledToMs);
    }
    for (const l of s.labels.filter((l) => !l.innocent)) {
      expect(Date.parse(l.firstEventAt), l.typology).toBeGreaterThanOrEqual(s.suspiciousFromMs);
    }
  });

  it('starts a fresh scenario with FlowGuard: no warm-up, typologies on day two, old wallets dated before', () => {
    const s = generateScenario({ ...SMALL, mode: 'fresh', warmUpDays: 0, seed: 3 });
    expect(s.mode).toBe('fresh');
    expect(s.labelledFromMs).toBe(s.streamStartMs);
    expect(s.labelledToMs - s.streamStartMs).toBe(2 * DAY);
    expect(s.suspiciousFromMs).toBe(s.streamStartMs + DAY);
    expect(Math.min(...s.events.map((e) => Date.parse(e.occurredAt)))).toBeLessThan(s.streamStartMs + HOUR);
    for (const l of s.labels.filter((l) => !l.innocent)) {
      expect(Date.parse(l.firstEventAt), l.typology).toBeGreaterThanOrEqual(s.streamStartMs + DAY);
    }
    const preExisting = s.labels.filter((l) =>
      ['pass-through', 'slow-campaign', 'merchant'].includes(l.typology),
    );
    expect(preExisting.length).toBeGreaterThanOrEqual(8);
    for (const label of preExisting) {
      expect(Date.parse(label.openedAt!), label.typology).toBeLessThan(s.streamStartMs);
      // The processor sends it on the wallet's events.
      for (const e of inbound(s, label)) expect(e.toWalletCreatedAt).toBe(label.openedAt);
    }
    expect(() => generateScenario({ mode: 'fresh', warmUpDays: 3 })).toThrow(/no warm-up/);
  });

  it('builds slow campaigns: 100-250 payers over most of a day into a wallet opened ~10 days before', () => {
    const s = generateScenario({ ...SMALL, seed: 4 });
    const slow = s.labels.filter((l) => l.typology === 'slow-campaign');
    expect(slow).toHaveLength(2);
    for (const label of slow) {
      const donations = inbound(s, label);
      const times = donations.map((e) => Date.parse(e.occurredAt));
      expect(new Set(donations.map(payerOf)).size).toBeGreaterThanOrEqual(95);
      expect(donations.length).toBeLessThanOrEqual(250);
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(12 * HOUR);
      const age = Math.min(...times) - Date.parse(label.openedAt!);
      expect(age).toBeGreaterThanOrEqual(8 * DAY);
      expect(age).toBeLessThanOrEqual(12 * DAY);
      expect(donations.every((e) => e.type === 'deposit' || e.type === 'transfer')).toBe(true);
    }
  });

  it('builds mules: 15-35 large transfers in, about 95 % out again within hours', () => {
    const s = generateScenario({ ...SMALL, seed: 6 });
    for (const label of s.labels.filter((l) => l.typology === 'pass-through')) {
      const events = eventsOf(s)(label);
      const ins = events.filter((e) => e.toWalletId === label.walletId);
      const outs = events.filter((e) => e.fromWalletId === label.walletId);
      expect(ins.length).toBeGreaterThanOrEqual(15);
      expect(ins.length).toBeLessThanOrEqual(35);
      expect(ins.every((e) => e.type === 'transfer' && Number(e.amount) >= 3000)).toBe(true);
      const sum = (list: TransactionEventInput[]) => list.reduce((total, e) => total + Number(e.amount), 0);
      expect(sum(outs) / sum(ins)).toBeGreaterThan(0.9);
      const lastIn = Math.max(...ins.map((e) => Date.parse(e.occurredAt)));
      expect(Math.max(...outs.map((e) => Date.parse(e.occurredAt))) - lastIn).toBeLessThan(6 * HOUR);
      expect(Date.parse(label.firstEventAt) - Date.parse(label.openedAt!)).toBeGreaterThan(2 * DAY);
    }
  });

  it('builds campaigns of 200+ donations from distinct payers within 6 hours into a new wallet', () => {
    const s = generateScenario({ ...SMALL, seed: 3 });
    const campaigns = s.labels.filter((l) => l.typology === 'crowdfunding');
    expect(campaigns).toHaveLength(3);
    for (const label of campaigns) {
      const donations = inbound(s, label);
      const payers = new Set(donations.map(payerOf));
      expect(donations.length).toBeGreaterThanOrEqual(200);
      expect(payers.size).toBeGreaterThan(donations.length * 0.95);
      const times = donations.map((e) => Date.parse(e.occurredAt));
      expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(6 * HOUR);
      expect(Math.min(...times) - Date.parse(label.openedAt!)).toBeLessThanOrEqual(12 * HOUR);
      expect(donations.every((e) => Number(e.amount) >= 100 && Number(e.amount) <= 1000)).toBe(true);
      // Donations come by card or terminal deposit, or as a transfer from another wallet.
      for (const e of donations) {
        if (e.type === 'deposit') expect(['card', 'terminal']).toContain(e.channel);
        else expect(e.type).toBe('transfer');
      }
    }
  });

  it('lets replacement wallets share 40-70% of their donors with the campaign they replace', () => {
    const s = generateScenario({ ...SMALL, seed: 4 });
    const payersOf = (walletId: string) =>
      new Set(
        inbound(
          s,
          s.labels.find((l) => l.walletId === walletId)!,
        ).map(payerOf),
      );
    const replacements = s.labels.filter((l) => l.typology === 'replacement-wallet');
    expect(replacements).toHaveLength(2);
    for (const label of replacements) {
      const original = s.labels.find((l) => l.walletId === label.relatedWalletId)!;
      expect(Date.parse(label.firstEventAt)).toBeGreaterThan(Date.parse(original.lastEventAt) - HOUR);
      expect(Date.parse(label.firstEventAt) - Date.parse(original.lastEventAt)).toBeLessThan(2 * DAY + HOUR);
      const mine = payersOf(label.walletId);
      const theirs = payersOf(original.walletId);
      const shared = [...mine].filter((p) => theirs.has(p)).length / mine.size;
      expect(shared).toBeGreaterThanOrEqual(0.35);
      expect(shared).toBeLessThanOrEqual(0.71);
    }
  });

  it('sells to new merchants with card and app payments from many customers, some coming back', () => {
    const s = generateScenario({ ...SMALL, seed: 2 });
    const shops = s.labels.filter((l) => l.typology === 'new-merchant');
    expect(shops.length).toBe(4);
    for (const label of shops) {
      const sales = inbound(s, label);
      expect(sales.length).toBeGreaterThanOrEqual(30);
      expect(sales.every((e) => e.type === 'payment' && ['card', 'app'].includes(e.channel!))).toBe(true);
      const customers = new Set(sales.map(payerOf));
      const repeatShare = 1 - customers.size / sales.length;
      expect(repeatShare).toBeGreaterThan(0.05);
      expect(repeatShare).toBeLessThan(0.6);
      // Opened an hour or a day before the first sale, and the processor says so.
      const age = Date.parse(label.firstEventAt) - Date.parse(label.openedAt!);
      expect(age).toBeGreaterThan(0);
      expect(age).toBeLessThanOrEqual(30 * HOUR);
      expect(Date.parse(label.firstEventAt)).toBeGreaterThanOrEqual(s.labelledFromMs);
    }
  });

  it('springs the cascade trap: the café shares its customers with local shops, a collection and residents', () => {
    const s = generateScenario({ ...SMALL, seed: 2 });
    const cafe = s.labels.find((l) => l.role?.startsWith('cascade anchor'))!;
    expect(cafe.typology).toBe('new-merchant');
    const cafeCustomers = new Set(inbound(s, cafe).map(payerOf));
    const trap = s.labels.filter((l) => l.typology === 'cascade-trap');
    expect(new Set(trap.map((l) => l.role))).toEqual(
      new Set(['neighbour merchant', 'neighbourhood collection', 'resident paid back by neighbours']),
    );
    for (const label of trap) {
      expect(label.relatedWalletId).toBe(cafe.walletId);
      const payers = new Set(inbound(s, label).map(payerOf));
      const shared = [...payers].filter((p) => cafeCustomers.has(p)).length;
      expect(shared, label.role).toBeGreaterThanOrEqual(label.role === 'neighbour merchant' ? 30 : 2);
      if (label.role === 'neighbour merchant') {
        expect(inbound(s, label).every((e) => e.type === 'payment')).toBe(true);
        // Over its whole history too: a large share of everyone who ever paid the shop paid the café.
        const everyPayer = new Set(s.events.filter((e) => e.toWalletId === label.walletId).map(payerOf));
        expect([...everyPayer].filter((p) => cafeCustomers.has(p)).length / everyPayer.size).toBeGreaterThan(
          0.3,
        );
      }
    }
  });

  it('names each watchlisted wallet in a valid mention before or during its first donations', () => {
    const s = generateScenario({ ...SMALL, seed: 5 });
    const watchlisted = s.labels.filter((l) => l.typology === 'watchlisted');
    expect(watchlisted).toHaveLength(2);
    for (const m of s.mentions) expect(WalletMentionSchema.safeParse(m).success).toBe(true);
    expect(new Set(s.mentions.map((m) => m.mentionId)).size).toBe(s.mentions.length);
    for (const label of watchlisted) {
      const mentions = s.mentions.filter((m) => m.walletId === label.walletId);
      expect(mentions.length).toBeGreaterThanOrEqual(1);
      const firstSeen = Math.min(...mentions.map((m) => Date.parse(m.seenAt)));
      const donations = inbound(s, label)
        .map((e) => Date.parse(e.occurredAt))
        .sort((a, b) => a - b);
      expect(firstSeen).toBeLessThanOrEqual(donations[6]!);
    }
  });

  it('layers: a wallet gathers from 5+ senders and passes most of it to 5+ receivers within 72 h', () => {
    const s = generateScenario({ ...SMALL, seed: 7 });
    for (const label of s.labels.filter((l) => l.typology === 'layering')) {
      const events = eventsOf(s)(label);
      const ins = events.filter((e) => e.toWalletId === label.walletId);
      const outs = events.filter((e) => e.fromWalletId === label.walletId);
      expect(new Set(ins.map(payerOf)).size).toBeGreaterThanOrEqual(5);
      expect(new Set(outs.map((e) => e.toWalletId ?? e.toRef)).size).toBeGreaterThanOrEqual(5);
      const sum = (list: TransactionEventInput[]) => list.reduce((total, e) => total + Number(e.amount), 0);
      expect(sum(outs) / sum(ins)).toBeGreaterThan(0.8);
      expect(Date.parse(label.lastEventAt) - Date.parse(label.firstEventAt)).toBeLessThanOrEqual(72 * HOUR);
    }
  });
});
