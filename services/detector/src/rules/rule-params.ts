// Shared pieces of the rule parameter schemas and of evidence building.
import { z } from 'zod';
import type { EvidenceItem } from '../../../../schemas/alert.js';
import type { BaseCurrency } from '../domain/money.js';
import { parseDuration } from '../domain/time.js';

export { DAY_MS, HOUR_MS } from '../domain/time.js';

export const durationParam = z.string().transform((text, ctx) => {
  try {
    return { text, ms: parseDuration(text) };
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** Amounts in rule files are base-currency major units (what an analyst reads). */
export const amountParam = z.number().nonnegative();

/** What a rule builder gets besides its parameters. */
export interface RuleBuildContext {
  base: BaseCurrency;
}

export function atLeast(
  rule: string,
  feature: string,
  value: number | string,
  threshold: number,
  extra: Partial<EvidenceItem> = {},
): EvidenceItem {
  return { rule, feature, value, threshold, comparison: '>=', ...extra };
}

export function atMost(
  rule: string,
  feature: string,
  value: number,
  threshold: number,
  extra: Partial<EvidenceItem> = {},
): EvidenceItem {
  return { rule, feature, value, threshold, comparison: '<=', ...extra };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
