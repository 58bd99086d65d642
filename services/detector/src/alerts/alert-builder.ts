// Findings of one wallet at one event → the alert body (score, severity and links are decided in Redis).
import { createHash } from 'node:crypto';
import type { EvidenceItem } from '../../../../schemas/alert.js';
import { walletAgeMs, type WalletFeatures } from '../features/wallet-features.js';
import type { NormalizedEvent } from '../ingest/normalized-event.js';
import type { Finding } from '../rules/rule-types.js';
import { summarize } from './alert-summary.js';

export interface AlertDraft {
  alertId: string;
  body: Record<string, unknown>;
}

/** Same wallet, triggering event and rules → same id, so a re-emitted alert is recognisably the same. */
export function alertIdOf(walletId: string, eventId: string, ruleIds: string[]): string {
  const digest = createHash('sha256')
    .update(`${walletId}\u0000${eventId}\u0000${[...ruleIds].sort().join(',')}`)
    .digest('hex');
  return `al-${digest.slice(0, 24)}`;
}

export function draftAlert(
  features: WalletFeatures,
  event: NormalizedEvent,
  findings: Finding[],
  currency: string,
  detectedAtMs: number,
): AlertDraft {
  const ruleIds = findings.map((f) => f.ruleId);
  const evidence: EvidenceItem[] = findings.flatMap((f) => f.evidence);
  const related = [...new Set(findings.flatMap((f) => f.relatedWalletIds ?? []))];
  const fromMs = Math.min(...findings.map((f) => f.window.fromMs));
  const toMs = Math.max(...findings.map((f) => f.window.toMs));
  const alertId = alertIdOf(features.walletId, event.eventId, ruleIds);
  const body: Record<string, unknown> = {
    schemaVersion: 1,
    alertId,
    walletId: features.walletId,
    detectedAt: new Date(detectedAtMs).toISOString(),
    eventTime: new Date(event.occurredAtMs).toISOString(),
    window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
    evidence,
    // The decision script replaces this with the wallet's latest events in the alert's window.
    sampleEventIds: [event.eventId],
    summary: summarize(features.walletId, walletAgeMs(features, event.occurredAtMs), findings, currency),
  };
  if (related.length) body.relatedWalletIds = related;
  return { alertId, body };
}
