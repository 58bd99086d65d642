// Command-line flags that shape a scenario, shared by `simulate` and `evaluate` (each validates them
// with its own defaults: simulate takes one mode and generator, evaluate a comma-separated list).
import { z } from 'zod';
import { GENERATORS, SCENARIO_MODES } from './scenario-types.js';

export const SCENARIO_FLAG_OPTIONS = {
  seed: { type: 'string' },
  scenario: { type: 'string' },
  generator: { type: 'string' },
  days: { type: 'string' },
  'warm-up-days': { type: 'string' },
  wallets: { type: 'string' },
  duplicates: { type: 'string' },
  reorder: { type: 'string' },
} as const;

export const modeFlag = z.enum(SCENARIO_MODES);
export const generatorFlag = z.enum(GENERATORS);

/** "a,b,c" → a non-empty list of distinct values, each checked by `item`. */
export function listFlag<T extends z.ZodType>(item: T) {
  return z.string().transform((text, ctx): z.output<T>[] => {
    const values: z.output<T>[] = [];
    for (const part of new Set(text.split(',').map((p) => p.trim()))) {
      if (!part) continue;
      const parsed = item.safeParse(part);
      if (!parsed.success) {
        ctx.addIssue({
          code: 'custom',
          message: `"${part}": ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        });
        return z.NEVER;
      }
      values.push(parsed.data);
    }
    if (!values.length) ctx.addIssue({ code: 'custom', message: 'give at least one value' });
    return values;
  });
}
