import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../schemas/alert.js';
import { runTable, sideBySide, type RunRecord } from '../../../services/simulator/src/evaluation-document.js';
import { evaluateAlerts, median } from '../../../services/simulator/src/evaluation-report.js';
import { listFlag, modeFlag } from '../../../services/simulator/src/scenario-flags.js';
import { generateScenario } from '../../../services/simulator/src/scenario.js';

function alertOn(walletId: string, eventTime: string, eventId: string, rules: string[]): Alert {
  return {
    schemaVersion: 1,
    alertId: `a-${walletId}-${eventId}`,
    walletId,
    rules,
    severity: 'high',
    score: 55,
    detectedAt: new Date(Date.parse('2030-01-01T00:00:01Z')).toISOString(),
    eventTime,
    window: { from: eventTime, to: eventTime },
    evidence: [],
    sampleEventIds: [eventId],
    summary: 'test',
  };
}

const s = generateScenario({
  seed: 2,
  start: new Date('2025-03-01T00:00:00Z'),
  ordinaryWallets: 500,
  warmUpDays: 2,
});
const byId = new Map(s.events.map((e) => [e.eventId, e]));
const labelOf = (predicate: (l: (typeof s.labels)[number]) => boolean) => s.labels.find(predicate)!;
/** An alert on the label's n-th event. */
const alertAt = (label: (typeof s.labels)[number], n: number, rules: string[]) => {
  const event = byId.get(label.eventIds[n]!)!;
  return alertOn(label.walletId, event.occurredAt, event.eventId, rules);
};

describe('evaluateAlerts', () => {
  it('computes median', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('scores recall, inbound-before-alert, latency, precision and innocent alerts', () => {
    const campaign = labelOf((l) => l.typology === 'crowdfunding');
    const merchant = labelOf((l) => l.typology === 'merchant');
    const alerts = [alertAt(campaign, 24, ['crowdfunding-fan-in']), alertAt(merchant, 0, ['pass-through'])];
    const producedAtMs = new Map([[campaign.eventIds[24]!, Date.parse('2030-01-01T00:00:00Z')]]);
    const report = evaluateAlerts({
      events: s.events,
      labels: s.labels,
      alerts,
      producedAtMs,
      ordinaryWallets: 500,
      labelledFromMs: s.labelledFromMs,
    });

    const row = report.rows.find((r) => r.typology === 'crowdfunding')!;
    expect(row).toMatchObject({
      wallets: 3,
      caught: 1,
      measured: true,
      rules: { 'crowdfunding-fan-in': 1 },
      medianLatencyMs: 1000,
    });
    expect(row.recall).toBeCloseTo(1 / 3);
    expect(row.medianInboundBeforeAlert).toBe(25);
    expect(report.precision).toBe(0.5);
    expect(report.innocentAlerted).toBe(1);
    expect(report.falseAlerts.map((f) => [f.walletId, f.typology])).toEqual([
      [merchant.walletId, 'merchant'],
    ]);
    expect(report.falseAlertsByKind).toEqual({ merchant: 1 });
    expect(report.falseAlertsPer10kOrdinary).toBeCloseTo(10_000 / 500);
    expect(report.falseAlertWalletsLabelledPeriod).toBe(1);
    expect(report.cascade).toEqual({ alerts: 0, wallets: 0, byKind: {} });
    expect(report.missed.some((m) => m.typology === 'structuring')).toBe(true);
  });

  it('counts replacement alerts on innocent and unlabelled wallets as the cascade, by kind and role', () => {
    const cafe = labelOf((l) => l.role?.startsWith('cascade anchor') === true);
    const shop = labelOf((l) => l.role === 'neighbour merchant');
    const replacement = labelOf((l) => l.typology === 'replacement-wallet');
    const labelled = new Set(s.labels.map((l) => l.walletId));
    const stranger = s.events.find((e) => e.toWalletId && !labelled.has(e.toWalletId))!;
    const alerts = [
      alertAt(cafe, 20, ['young-wallet-fan-in']),
      alertAt(shop, 5, ['replacement-wallet']),
      alertAt(shop, 9, ['replacement-wallet']),
      alertOn(stranger.toWalletId!, stranger.occurredAt, stranger.eventId, ['replacement-wallet']),
      // A true replacement is not part of the cascade.
      alertAt(replacement, 10, ['replacement-wallet']),
    ];
    const report = evaluateAlerts({
      events: s.events,
      labels: s.labels,
      alerts,
      producedAtMs: new Map(),
      ordinaryWallets: 500,
      labelledFromMs: s.labelledFromMs,
    });
    expect(report.cascade).toEqual({ alerts: 3, wallets: 2, byKind: { 'cascade-trap': 1, unlabelled: 1 } });
    expect(report.falseAlertsByKind).toEqual({ 'new-merchant': 1, 'cascade-trap': 1, unlabelled: 1 });
    expect(report.precision).toBeCloseTo(1 / 4);
    const trap = report.rows.find((r) => r.typology === 'cascade-trap')!;
    expect(trap.roles?.['neighbour merchant']?.[1]).toBe(1);
  });

  it('reports a typology the run could not test as not measured, and never as missed', () => {
    const watchlisted = labelOf((l) => l.typology === 'watchlisted');
    const report = evaluateAlerts({
      events: s.events,
      labels: s.labels,
      alerts: [alertAt(watchlisted, 30, ['crowdfunding-fan-in'])],
      producedAtMs: new Map(),
      ordinaryWallets: 500,
      labelledFromMs: s.labelledFromMs,
      notMeasured: { watchlisted: 'nothing reads the mentions' },
    });
    const row = report.rows.find((r) => r.typology === 'watchlisted')!;
    expect(row).toMatchObject({
      measured: false,
      notMeasuredReason: 'nothing reads the mentions',
      caught: 1,
    });
    expect(report.missed.some((m) => m.typology === 'watchlisted')).toBe(false);
    expect(runTable(report)).toMatch(/\| watchlisted \| 2 \| 1 \| not measured \|/);
    const run = {
      generator: 'main',
      mode: 'fresh',
      seed: 2,
      scenario: { events: s.events.length },
      harness: { throughputEventsPerSecond: 1000 },
      report,
    } as unknown as RunRecord;
    const table = sideBySide([run]);
    expect(table).toContain('| | fresh · seed 2 |');
    expect(table).toMatch(/\| watchlisted \| not measured \(1\/2 by other rules\) \|/);
    expect(table).toMatch(/\| crowdfunding \| 0\/3 \(0%\) \|/);
  });
});

describe('scenario flags', () => {
  it('reads comma-separated lists and refuses unknown values', () => {
    expect(listFlag(modeFlag).parse('warm, fresh,warm')).toEqual(['warm', 'fresh']);
    expect(() => listFlag(modeFlag).parse('warm,tepid')).toThrow(/tepid/);
    expect(() => listFlag(modeFlag).parse(',')).toThrow(/at least one/);
  });
});
