// Break from baseline: the wallet's inbound count in a recent window is far outside its own history.
// A Poisson tail against its mean hourly rate, with a floor count, so a merchant with steady high
// volume stays quiet and a quiet wallet that suddenly takes hundreds of payments does not.
import { z } from 'zod';
import { baselineOf, poissonUpperTail, robustZ } from './baseline-stats.js';
import { atLeast, atMost, DAY_MS, HOUR_MS, round } from './rule-params.js';
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const baselineBreakParams = z.object({
  window: z.string(),
  minCount: z.number().int().positive(),
  minHistoryDays: z.number().positive(),
  minRatio: z.number().positive(),
  maxTailProbability: z.number().gt(0).lt(1),
});
export type BaselineBreakParams = z.infer<typeof baselineBreakParams>;

export function baselineBreakRule(base: Omit<Rule, 'evaluate'>, params: BaselineBreakParams): Rule {
  return {
    ...base,
    evaluate(input: RuleInput): RuleOutcome {
      const { wallet, side } = input;
      if (side?.direction !== 'in') return null;
      const w = wallet.window(params.window);
      if (w.inCount < params.minCount) return null;
      const s = wallet.state;
      if (s.lastEventMs - s.firstSeenMs < params.minHistoryDays * DAY_MS) return null;

      const history = wallet.hourlyHistory(input.featureConfig.baselineDays * 24 + 1);
      const hours = Math.max((s.lastEventMs - w.startMs) / HOUR_MS, 1);
      const baseline = baselineOf(history, s.firstSeenMs, w.startMs);
      if (baseline.hoursObserved < params.minHistoryDays * 24 * 0.5) return null;
      // Half an event per week keeps a never-active wallet's rate above zero.
      const expected = Math.max(baseline.meanPerHour, 0.5 / 168) * hours;
      const ratio = w.inCount / expected;
      const tail = poissonUpperTail(w.inCount, expected);
      if (ratio < params.minRatio || tail > params.maxTailProbability) return null;

      const id = base.id;
      return finding(
        base,
        params.window,
        { fromMs: w.startMs, toMs: s.lastEventMs },
        {
          evidence: [
            atLeast(id, 'inboundCount', w.inCount, params.minCount, { window: params.window }),
            { rule: id, feature: 'expectedFromBaseline', value: round(expected), window: params.window },
            atLeast(id, 'ratioToBaseline', round(ratio), params.minRatio),
            atMost(id, 'poissonTailProbability', Number(tail.toPrecision(3)), params.maxTailProbability),
            { rule: id, feature: 'baselineMedianPerHour', value: baseline.medianPerHour },
            { rule: id, feature: 'baselineMadPerHour', value: baseline.madPerHour },
            { rule: id, feature: 'robustZ', value: round(robustZ(w.inCount, baseline, hours)) },
            { rule: id, feature: 'baselineHours', value: baseline.hoursObserved, unit: 'hours' },
          ],
          facts: { deposits: w.inCount, sum: w.inSum, baselinePerHour: baseline.meanPerHour, expected },
        },
      );
    },
  };
}
