// Shared pieces of the rule parameter schemas and of evidence building.
import { z } from 'zod';
import type { EvidenceItem } from '../../../../schemas/alert.js';
import { parseDuration } from '../config.js';

export const durationParam = z.string().transform((text, ctx) => {
  try {
    return { text, ms: parseDuration(text) };
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

/** Amounts in rule files are in base-currency major units (what an analyst reads); stored as minor. */
export const MINOR_PER_MAJOR = 100;
export const amountParam = z
  .number()
  .nonnegative()
  .transform((major) => Math.round(major * MINOR_PER_MAJOR));

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

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
