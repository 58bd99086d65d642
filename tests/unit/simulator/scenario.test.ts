import { describe, expect, it } from 'vitest';
import { TransactionEventSchema } from '../../../schemas/transaction-event.js';
import {
  generateScenario,
  messageKey,
  type ScenarioOptions,
} from '../../../services/simulator/src/scenario.js';

const HOUR = 3_600_000;
// Small enough to run in a second, large enough to hold every typology.
const SMALL: Partial<ScenarioOptions> = {
  start: new Date('2025-03-01T00:00:00Z'),
  ordinaryWallets: 400,
  merchants: 2,
  warmUpDays: 3,
  days: 2,
};

describe('generateScenario', () => {
  it('gives identical events and labels for the same seed, different ones for another', () => {
    const a = generateScenario({ ...SMALL, seed: 11, duplicateShare: 0.02, reorderShare: 0.01 });
    const b = generateScenario({ ...SMALL, seed: 11, duplicateShare: 0.02, reorderShare: 0.01 });
    expect(b.events).toEqual(a.events);
    expect(b.labels).toEqual(a.labels);
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

  it('builds campaigns of 200+ donations from distinct payers within 6 hours into a new wallet', () => {
    const { events, labels } = generateScenario({ ...SMALL, seed: 3, campaigns: 3 });
    const byId = new Map(events.map((e) => [e.eventId, e]));
    const campaigns = labels.filter((l) => l.typology === 'crowdfunding');
    expect(campaigns).toHaveLength(3);
    for (const label of campaigns) {
      const donations = label.eventIds
        .map((id) => byId.get(id)!)
        .filter((e) => e.toWalletId === label.walletId);
      const payers = new Set(donations.map((e) => e.fromWalletId ?? e.fromRef));
      expect(donations.length).toBeGreaterThanOrEqual(200);
      expect(payers.size).toBe(donations.length);
      const times = donations.map((e) => Date.parse(e.occurredAt));
      expect(Math.max(...times) - Math.min(...times)).toBeLessThanOrEqual(6 * HOUR);
      const openedAt = Date.parse(donations[0]!.toWalletCreatedAt!);
      expect(Math.min(...times) - openedAt).toBeLessThanOrEqual(12 * HOUR);
      expect(donations.every((e) => Number(e.amount) >= 100 && Number(e.amount) <= 1000)).toBe(true);
    }
  });

  it('lets replacement wallets share 40-70% of their donors with the campaign they replace', () => {
    const { events, labels } = generateScenario({ ...SMALL, seed: 4 });
    const byId = new Map(events.map((e) => [e.eventId, e]));
    const payersOf = (walletId: string) =>
      new Set(
        labels
          .find((l) => l.walletId === walletId)!
          .eventIds.map((id) => byId.get(id)!)
          .filter((e) => e.toWalletId === walletId)
          .map((e) => e.fromWalletId ?? e.fromRef),
      );
    const replacements = labels.filter((l) => l.typology === 'replacement-wallet');
    expect(replacements).toHaveLength(2);
    for (const label of replacements) {
      const original = labels.find((l) => l.walletId === label.relatedWalletId)!;
      expect(Date.parse(label.firstEventAt)).toBeGreaterThan(Date.parse(original.lastEventAt) - HOUR);
      const mine = payersOf(label.walletId);
      const theirs = payersOf(original.walletId);
      const shared = [...mine].filter((p) => theirs.has(p)).length / mine.size;
      expect(shared).toBeGreaterThanOrEqual(0.39);
      expect(shared).toBeLessThanOrEqual(0.71);
    }
  });

  it('keeps every event inside the scenario span and labels innocents as such', () => {
    const s = generateScenario({ ...SMALL, seed: 8 });
    const end = SMALL.start!.getTime() + 5 * 24 * HOUR;
    for (const e of s.events) expect(Date.parse(e.occurredAt)).toBeLessThan(end);
    for (const l of s.labels) {
      expect(l.innocent === true).toBe(['merchant', 'birthday', 'payroll', 'savings'].includes(l.typology));
      expect(l.eventIds.length).toBeGreaterThan(0);
    }
  });
});
