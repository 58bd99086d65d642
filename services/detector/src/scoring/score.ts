// The one home of the risk score: severity ranks, levels, and the decayed weighted sum of the rules
// that fired. The alert decision and the REST risk view both call these.
import { SEVERITIES, type Severity } from '../../../../schemas/alert.js';

export interface ScoringPolicy {
  halfLifeMs: number;
  levels: { medium: number; high: number; critical: number };
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity) + 1;
}

export function severityOfRank(rank: number): Severity {
  return SEVERITIES[Math.min(SEVERITIES.length, Math.max(1, rank)) - 1]!;
}

export function levelOf(score: number, levels: ScoringPolicy['levels']): Severity {
  if (score >= levels.critical) return 'critical';
  if (score >= levels.high) return 'high';
  if (score >= levels.medium) return 'medium';
  return 'low';
}

/** A rule's contribution: its weight, halved every half-life since it last fired. */
export function decayedWeight(weight: number, lastFiredMs: number, atMs: number, halfLifeMs: number): number {
  return weight * 0.5 ** (Math.max(0, atMs - lastFiredMs) / halfLifeMs);
}

/** Weighted sum of the rules that fired, each decayed to `atMs`, capped at 100, one decimal. */
export function decayedScore(
  firings: Iterable<{ weight: number; lastFiredMs: number }>,
  atMs: number,
  halfLifeMs: number,
): number {
  let score = 0;
  for (const f of firings) score += decayedWeight(f.weight, f.lastFiredMs, atMs, halfLifeMs);
  return Math.min(100, Math.round(score * 10) / 10);
}
