// Alerts as the detector publishes them (contract v1), for tests of the alert index and stream.
import type { Alert, Severity } from '../../schemas/alert.js';

let sequence = 0;

export function sampleAlert(
  walletId: string,
  detectedAtMs: number,
  options: { rules?: string[]; severity?: Severity; watchlist?: boolean; alertId?: string } = {},
): Alert {
  sequence += 1;
  const at = new Date(detectedAtMs).toISOString();
  return {
    schemaVersion: 1,
    alertId: options.alertId ?? `al-${walletId}-${detectedAtMs}-${sequence}`,
    walletId,
    rules: options.rules ?? ['crowdfunding-fan-in'],
    severity: options.severity ?? 'high',
    score: 55,
    detectedAt: at,
    eventTime: at,
    window: { from: new Date(detectedAtMs - 6 * 3_600_000).toISOString(), to: at },
    evidence: [
      {
        rule: 'crowdfunding-fan-in',
        feature: 'smallDonationCount',
        value: 42,
        threshold: 30,
        comparison: '>=',
        window: '6h',
      },
    ],
    sampleEventIds: ['ev-1', 'ev-2'],
    summary: `${walletId} took 42 small donations from 40 payers in 6 h`,
    ...(options.watchlist
      ? { watchlist: [{ mentionId: 'm-1', source: 'post in a channel', seenAt: at }] }
      : {}),
  };
}
