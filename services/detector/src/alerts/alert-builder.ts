// Findings and a decision → the Alert exactly as it is published (schemas/alert.ts), validated here
// so a malformed alert is a bug caught at its source, never a record downstream cannot read.
import { createHash } from 'node:crypto';
import {
  AlertSchema,
  type Alert,
  type RelatedWallet,
  type WatchlistCitation,
} from '../../../../schemas/alert.js';
import type { BaseCurrency } from '../domain/money.js';
import { FlowGuardError } from '../errors.js';
import type { Finding } from '../rules/rule-types.js';
import type { AlertDecision } from '../scoring/alert-decision.js';
import { summarize } from './alert-summary.js';

/** Same wallet, trigger and rules → same id, so a re-emitted alert is recognisably the same. */
export function alertIdOf(walletId: string, triggerId: string, ruleIds: string[]): string {
  const digest = createHash('sha256')
    .update(`${walletId}\u0000${triggerId}\u0000${[...ruleIds].sort().join(',')}`)
    .digest('hex');
  return `al-${digest.slice(0, 24)}`;
}

export interface AlertInput {
  walletId: string;
  /** The event that made the rules fire, or the relation change ("flag:<wallet>:<source>"). */
  triggerId: string;
  eventTimeMs: number;
  ageMs: number | null;
  findings: Finding[];
  decision: Extract<AlertDecision, { kind: 'alert' }>;
  sampleEventIds: string[];
  detectedAtMs: number;
  base: BaseCurrency;
  origin: 'live' | 'backfill';
}

export function buildAlert(input: AlertInput): Alert {
  const { decision } = input;
  const findings = input.findings.filter((f) => decision.rules.includes(f.ruleId));
  const fromMs = Math.min(...findings.map((f) => f.window.fromMs));
  const toMs = Math.max(...findings.map((f) => f.window.toMs));
  const related = new Map<string, RelatedWallet>();
  for (const r of findings.flatMap((f) => f.relatedWallets ?? [])) related.set(r.walletId, r);
  const citations = new Map<string, WatchlistCitation>();
  for (const c of findings.flatMap((f) => f.watchlist ?? [])) citations.set(c.mentionId, c);
  const alert: Alert = {
    schemaVersion: 1,
    alertId: alertIdOf(input.walletId, input.triggerId, decision.rules),
    walletId: input.walletId,
    rules: decision.rules,
    severity: decision.severity,
    score: decision.score,
    detectedAt: new Date(input.detectedAtMs).toISOString(),
    eventTime: new Date(input.eventTimeMs).toISOString(),
    window: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
    evidence: findings.flatMap((f) => f.evidence),
    sampleEventIds: input.sampleEventIds,
    summary: summarize(input.walletId, input.ageMs, findings, input.base),
  };
  if (decision.previousAlertId) alert.previousAlertId = decision.previousAlertId;
  if (related.size) {
    alert.relatedWalletIds = [...related.keys()];
    alert.relatedWallets = [...related.values()];
  }
  if (citations.size) alert.watchlist = [...citations.values()];
  if (input.origin === 'backfill') alert.origin = 'backfill';
  const checked = AlertSchema.safeParse(alert);
  if (!checked.success) {
    throw new FlowGuardError('FG_ALERT_INVALID', `alert for ${input.walletId} breaks schemas/alert.ts`, {
      cause: checked.error,
    });
  }
  return alert;
}
