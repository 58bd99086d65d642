// Whether the rules firing on a wallet now make a new alert: analyst silences, cool-down, escalation
// on a new rule or a higher severity, and the score. Pure: it reads and updates the wallet's alerting
// state (part of the wallet record), so the decision is stored atomically with the features.
import type { Severity } from '../../../../schemas/alert.js';
import type { Finding } from '../rules/rule-types.js';
import type { ActiveFlag, WalletState } from '../state/wallet-state.js';
import { decayedScore, levelOf, severityOfRank, severityRank, type ScoringPolicy } from './score.js';

export interface DecisionPolicy extends ScoringPolicy {
  cooldownMs: number;
}

export type AlertDecision =
  | { kind: 'none' }
  | {
      kind: 'alert';
      rules: string[];
      severity: Severity;
      score: number;
      previousAlertId: string | null;
    }
  /** Every rule that would have alerted is silenced by an analyst flag (recorded in the audit trail). */
  | { kind: 'suppressed'; rules: string[]; flagIds: string[] };

/** The analyst flag that silences a rule at this wall-clock moment, if any. */
export function silencingFlag(
  flags: ActiveFlag[],
  ruleId: string,
  wallNowMs: number,
): ActiveFlag | undefined {
  return flags.find(
    (f) =>
      f.kind === 'false-positive' &&
      (f.ruleId === null || f.ruleId === ruleId) &&
      (f.expiresAtMs === null || f.expiresAtMs > wallNowMs),
  );
}

/**
 * Decides and records. `eventTimeMs` drives cool-down and decay (event time, so a replay decides as
 * live did); `wallNowMs` only judges analyst silences, which are wall-clock promises.
 */
export function decideAlert(
  alerting: WalletState['alerting'],
  flags: ActiveFlag[],
  findings: Finding[],
  eventTimeMs: number,
  wallNowMs: number,
  policy: DecisionPolicy,
): AlertDecision {
  const firing: Finding[] = [];
  const silenced: { finding: Finding; flag: ActiveFlag }[] = [];
  for (const f of findings) {
    const flag = silencingFlag(flags, f.ruleId, wallNowMs);
    if (flag) silenced.push({ finding: f, flag });
    else firing.push(f);
  }
  const isNew = (f: Finding): boolean => {
    const state = alerting.firings.get(f.ruleId);
    if (!state || state.alertedRank === 0) return true;
    return (
      severityRank(f.severity) > state.alertedRank || eventTimeMs - state.alertedAtMs >= policy.cooldownMs
    );
  };

  const newlySilenced = silenced.filter((s) => isNew(s.finding));
  const anyNew = firing.some(isNew);
  for (const f of firing) {
    const state = alerting.firings.get(f.ruleId);
    alerting.firings.set(f.ruleId, {
      weight: f.weight,
      lastFiredMs: Math.max(eventTimeMs, state?.lastFiredMs ?? eventTimeMs),
      alertedRank: state?.alertedRank ?? 0,
      alertedAtMs: state?.alertedAtMs ?? 0,
    });
  }
  // A suppression is recorded once per cool-down, like the alert it replaces would have been.
  for (const { finding } of newlySilenced)
    markAlerted(alerting, finding, severityRank(finding.severity), eventTimeMs);
  if (!anyNew) {
    return newlySilenced.length && !firing.length
      ? {
          kind: 'suppressed',
          rules: newlySilenced.map((s) => s.finding.ruleId),
          flagIds: [...new Set(newlySilenced.map((s) => s.flag.flagId))],
        }
      : { kind: 'none' };
  }

  const score = decayedScore(alerting.firings.values(), eventTimeMs, policy.halfLifeMs);
  const rank = Math.max(
    severityRank(levelOf(score, policy.levels)),
    ...firing.map((f) => severityRank(f.severity)),
  );
  for (const f of firing) markAlerted(alerting, f, rank, eventTimeMs);
  const previousAlertId = alerting.lastAlertId;
  alerting.alertCount += 1;
  alerting.lastAlertAtMs = eventTimeMs;
  return {
    kind: 'alert',
    rules: firing.map((f) => f.ruleId),
    severity: severityOfRank(rank),
    score,
    previousAlertId,
  };
}

function markAlerted(alerting: WalletState['alerting'], f: Finding, rank: number, atMs: number): void {
  const state = alerting.firings.get(f.ruleId);
  alerting.firings.set(f.ruleId, {
    weight: state?.weight ?? f.weight,
    lastFiredMs: state?.lastFiredMs ?? atMs,
    alertedRank: rank,
    alertedAtMs: atMs,
  });
}
