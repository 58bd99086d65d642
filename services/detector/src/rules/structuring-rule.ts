// Structuring: repeated deposits just below the reporting threshold (the band is a feature setting,
// REPORTING_THRESHOLD and NEAR_THRESHOLD_SHARE, because the store counts it per bucket).
import { z } from 'zod';
import { bucketsHoldAtLeast, FIELD } from '../state/wallet-state.js';
import { atLeast, type RuleBuildContext } from './rule-params.js';
import { finding, windowAtPayment, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const structuringParams = z.object({
  window: z.string(),
  minNearThresholdDeposits: z.number().int().positive(),
});
export type StructuringParams = z.infer<typeof structuringParams>;

const NEAR_THRESHOLD = FIELD.nearThresholdCount;

export function structuringRule(
  base: Omit<Rule, 'evaluate'>,
  params: StructuringParams,
  ctx: RuleBuildContext,
): Rule {
  return {
    ...base,
    // Most wallets never had a deposit just below the threshold. Their lifetime inbound sum says so at
    // once (each such deposit is at least the band's start), and else the buckets do, without a window:
    // a scan of every bucket after every event was ~4% of the detector's CPU. (Buckets classify a deposit
    // by the band in force when it was applied: after the band is raised, a wallet whose old deposits
    // no longer reach the new band's start is skipped, as the band now says.)
    reachable: (s, features) =>
      s.lifetime.inCount >= params.minNearThresholdDeposits &&
      s.lifetime.inSum >= params.minNearThresholdDeposits * features.nearThresholdFrom &&
      bucketsHoldAtLeast(s, NEAR_THRESHOLD, params.minNearThresholdDeposits),
    evaluate(input: RuleInput): RuleOutcome {
      const { side, featureConfig } = input;
      if (side?.direction !== 'in') return null;
      const w = windowAtPayment(input, params.window);
      if (w.nearThresholdCount < params.minNearThresholdDeposits) return null;
      const id = base.id;
      const unit = ctx.base.code;
      return finding(
        base,
        params.window,
        { fromMs: w.startMs, toMs: input.atMs },
        {
          evidence: [
            atLeast(id, 'depositsJustBelowThreshold', w.nearThresholdCount, params.minNearThresholdDeposits, {
              window: params.window,
            }),
            { rule: id, feature: 'bandFrom', value: ctx.base.toMajor(featureConfig.nearThresholdFrom), unit },
            {
              rule: id,
              feature: 'reportingThreshold',
              value: ctx.base.toMajor(featureConfig.reportingThreshold),
              unit,
            },
            {
              rule: id,
              feature: 'inboundSum',
              value: ctx.base.toMajor(w.inSum),
              unit,
              window: params.window,
            },
          ],
          facts: { near: w.nearThresholdCount, sum: w.inSum, threshold: featureConfig.reportingThreshold },
        },
      );
    },
  };
}
