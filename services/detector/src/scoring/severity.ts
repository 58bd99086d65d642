// Severity ranks and risk levels, shared by the alert decision and the REST risk view.
import { SEVERITIES, type Severity } from '../../../../schemas/alert.js';

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity) + 1;
}

export function levelOf(score: number, levels: { medium: number; high: number; critical: number }): Severity {
  if (score >= levels.critical) return 'critical';
  if (score >= levels.high) return 'high';
  if (score >= levels.medium) return 'medium';
  return 'low';
}

export interface RuleFiring {
  ruleId: string;
  weight: number;
  firedAtMs: number;
}

/** Weighted sum of the rules that fired, each halving every half-life since it last fired, capped at 100. */
export function decayedScore(firings: RuleFiring[], atMs: number, halfLifeMs: number): number {
  let score = 0;
  for (const f of firings) score += f.weight * 0.5 ** (Math.max(0, atMs - f.firedAtMs) / halfLifeMs);
  return Math.min(100, Math.round(score * 10) / 10);
}
