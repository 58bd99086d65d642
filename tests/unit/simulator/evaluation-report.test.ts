import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../schemas/alert.js';
import { evaluateAlerts, median } from '../../../services/simulator/src/evaluation-report.js';
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

describe('evaluateAlerts', () => {
  it('computes median', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('scores recall, inbound-before-alert, latency, precision and innocent alerts', () => {
    const s = generateScenario({
      seed: 2,
      start: new Date('2025-03-01T00:00:00Z'),
      ordinaryWallets: 300,
      warmUpDays: 2,
    });
    const byId = new Map(s.events.map((e) => [e.eventId, e]));
    const campaign = s.labels.find((l) => l.typology === 'crowdfunding')!;
    const trigger = byId.get(campaign.eventIds[24]!)!;
    const merchant = s.labels.find((l) => l.typology === 'merchant')!;
    const merchantEvent = byId.get(merchant.eventIds[0]!)!;
    const alerts = [
      alertOn(campaign.walletId, trigger.occurredAt, trigger.eventId, ['crowdfunding-fan-in']),
      alertOn(merchant.walletId, merchantEvent.occurredAt, merchantEvent.eventId, ['pass-through']),
    ];
    const producedAtMs = new Map([[trigger.eventId, Date.parse('2030-01-01T00:00:00Z')]]);
    const report = evaluateAlerts({
      events: s.events,
      labels: s.labels,
      alerts,
      producedAtMs,
      ordinaryWallets: 300,
      labelledFromMs: s.labelledFromMs,
    });

    const row = report.rows.find((r) => r.typology === 'crowdfunding')!;
    expect(row).toMatchObject({
      wallets: 3,
      caught: 1,
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
    expect(report.falseAlertsPer10kOrdinary).toBeCloseTo(10_000 / 300);
    expect(report.falseAlertWalletsLabelledPeriod).toBe(1);
    expect(report.missed.some((m) => m.typology === 'structuring')).toBe(true);
  });
});
