import { describe, expect, it } from 'vitest';
import { TransactionEventSchema, type TransactionEventInput } from '../../../schemas/transaction-event.js';
import { WalletMentionSchema } from '../../../schemas/wallet-mention.js';
import { generateAltScenario } from '../../../services/simulator/src/scenario-alt.js';
import {
  generateScenario,
  INNOCENT_TYPOLOGIES,
  SUSPICIOUS_TYPOLOGIES,
  type Scenario,
  type ScenarioOverrides,
} from '../../../services/simulator/src/scenario.js';

const DAY = 86_400_000;
const SMALL: ScenarioOverrides = {
  start: new Date('2025-03-03T00:00:00Z'),
  ordinaryWallets: 600,
  warmUpDays: 3,
  days: 2,
  seed: 21,
};

const alt = generateAltScenario(SMALL);
const main = generateScenario(SMALL);

/** Coefficient of variation of the gaps between a campaign's donations: 1 for a Poisson process. */
function donationGapVariation(s: Scenario): number[] {
  const byId = new Map(s.events.map((e) => [e.eventId, e]));
  return s.labels
    .filter((l) => l.typology === 'crowdfunding')
    .map((l) => {
      const times = l.eventIds
        .map((id) => byId.get(id)!)
        .filter((e) => e.toWalletId === l.walletId)
        .map((e) => Date.parse(e.occurredAt))
        .sort((a, b) => a - b);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      return Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length) / mean;
    });
}

const share = (events: TransactionEventInput[], test: (e: TransactionEventInput) => boolean) =>
  events.filter(test).length / events.length;

describe('generateAltScenario', () => {
  it('is deterministic by seed and differs from the main generator for the same seed', () => {
    const again = generateAltScenario(SMALL);
    expect(again.events).toEqual(alt.events);
    expect(again.labels).toEqual(alt.labels);
    expect(again.mentions).toEqual(alt.mentions);
    expect(generateAltScenario({ ...SMALL, seed: 22 }).events.slice(0, 50)).not.toEqual(
      alt.events.slice(0, 50),
    );
    expect(alt.generator).toBe('alt');
  });

  it('produces every typology in both modes, with valid events and mentions', () => {
    for (const mode of ['warm', 'fresh'] as const) {
      const s = mode === 'warm' ? alt : generateAltScenario({ ...SMALL, mode, warmUpDays: 0 });
      expect(new Set(s.labels.map((l) => l.typology))).toEqual(
        new Set([...SUSPICIOUS_TYPOLOGIES, ...INNOCENT_TYPOLOGIES]),
      );
      const ids = new Set(s.events.map((e) => e.eventId));
      for (const label of s.labels) for (const id of label.eventIds) expect(ids.has(id)).toBe(true);
      for (const e of s.events)
        expect(TransactionEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
      for (const m of s.mentions) expect(WalletMentionSchema.safeParse(m).success).toBe(true);
      for (const l of s.labels.filter((l) => !l.innocent)) {
        expect(Date.parse(l.firstEventAt), l.typology).toBeGreaterThanOrEqual(s.suspiciousFromMs);
      }
      if (mode === 'fresh') {
        expect(s.suspiciousFromMs).toBe(s.streamStartMs + DAY);
        for (const l of s.labels.filter((l) => ['pass-through', 'slow-campaign'].includes(l.typology))) {
          expect(Date.parse(l.openedAt!)).toBeLessThan(s.streamStartMs);
        }
      }
    }
  });

  it('uses other id formats: phone-number wallets, masked cards, hashed event ids', () => {
    const wallets = alt.events.flatMap((e) => [e.fromWalletId, e.toWalletId]).filter(Boolean) as string[];
    expect(wallets.every((id) => /^\+79\d{9}$/.test(id))).toBe(true);
    expect(alt.events.some((e) => /^\d{6}\*{6}\d{4}$/.test(e.fromRef ?? ''))).toBe(true);
    expect(main.events.some((e) => /^\+79/.test(e.toWalletId ?? ''))).toBe(false);
    expect(alt.events.every((e) => e.eventId.startsWith('tx_'))).toBe(true);
  });

  it('shapes amounts differently: round top-ups and donations, prices with kopecks', () => {
    const deposits = (s: Scenario) => s.events.filter((e) => e.type === 'deposit');
    const round = (e: TransactionEventInput) => Number(e.amount) % 100 === 0;
    expect(share(deposits(alt), round)).toBeGreaterThan(0.8);
    expect(share(deposits(main), round)).toBeLessThan(0.3);
    const shopPayments = (s: Scenario) => s.events.filter((e) => e.type === 'payment' && e.toRef);
    const wholeRoubles = (e: TransactionEventInput) => Number.isInteger(Number(e.amount));
    expect(share(shopPayments(alt), wholeRoubles)).toBeLessThan(0.2);
    expect(share(shopPayments(main), wholeRoubles)).toBeGreaterThan(0.9);
  });

  it('brings donations in bursts: far more irregular gaps than the main generator', () => {
    const altGaps = donationGapVariation(alt);
    const mainGaps = donationGapVariation(main);
    expect(Math.min(...altGaps)).toBeGreaterThan(2);
    expect(Math.max(...mainGaps)).toBeLessThan(2);
  });

  it('pays through other channels', () => {
    const channels = new Set(alt.events.map((e) => e.channel));
    for (const channel of ['sbp', 'qr', 'nfc', 'terminal']) expect(channels.has(channel)).toBe(true);
    const mainChannels = new Set(main.events.map((e) => e.channel));
    expect(mainChannels.has('sbp') || mainChannels.has('qr')).toBe(false);
  });
});
