// Structuring: repeated deposits just below the reporting threshold (the band is a feature setting,
// REPORTING_THRESHOLD and NEAR_THRESHOLD_SHARE, because the store counts it per bucket).
import { z } from 'zod';
import { atLeast } from './rule-params.js';
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const structuringParams = z.object({
  window: z.string(),
  minNearThresholdDeposits: z.number().int().positive(),
});
export type StructuringParams = z.infer<typeof structuringParams>;

export function structuringRule(base: Omit<Rule, 'evaluate'>, params: StructuringParams): Rule {
  return {
    ...base,
    evaluate({ features, update, featureConfig }: RuleInput): RuleOutcome {
      if (update.direction !== 'in') return null;
      const w = features.windows[params.window]!;
      if (w.nearThresholdInCount < params.minNearThresholdDeposits) return null;
      const id = base.id;
      const unit = featureConfig.baseCurrency;
      return finding(
        base,
        params.window,
        { fromMs: w.startMs, toMs: features.lastEventMs },
        {
          evidence: [
            atLeast(
              id,
              'depositsJustBelowThreshold',
              w.nearThresholdInCount,
              params.minNearThresholdDeposits,
              {
                window: params.window,
              },
            ),
            { rule: id, feature: 'bandFrom', value: featureConfig.nearThresholdFrom / 100, unit },
            { rule: id, feature: 'reportingThreshold', value: featureConfig.reportingThreshold / 100, unit },
            { rule: id, feature: 'inboundSum', value: w.inSum / 100, unit, window: params.window },
          ],
          facts: { near: w.nearThresholdInCount, sum: w.inSum, threshold: featureConfig.reportingThreshold },
        },
      );
    },
  };
}
