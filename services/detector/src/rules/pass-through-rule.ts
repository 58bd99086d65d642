// Pass-through (mule): most of the money that came in from several payers leaves again within hours.
import { z } from 'zod';
import { round } from './fan-in-rule.js';
import { amountParam, atLeast } from './rule-params.js';
import type { Rule, RuleInput, RuleOutcome } from './rule-types.js';

export const passThroughParams = z.object({
  window: z.string(),
  minInbound: amountParam,
  minOutShare: z.number().gt(0).max(1),
  minDistinctPayers: z.number().int().positive(),
});
export type PassThroughParams = z.infer<typeof passThroughParams>;

export function passThroughRule(base: Omit<Rule, 'evaluate'>, params: PassThroughParams): Rule {
  return {
    ...base,
    evaluate({ features, update, featureConfig }: RuleInput): RuleOutcome {
      if (update.direction !== 'out') return null;
      const w = features.windows[params.window]!;
      if (w.inSum < params.minInbound || w.distinctPayers < params.minDistinctPayers) return null;
      const share = w.outSum / w.inSum;
      if (share < params.minOutShare) return null;
      const id = base.id;
      const unit = featureConfig.baseCurrency;
      return {
        ruleId: id,
        severity: base.severity,
        weight: base.weight,
        windowName: params.window,
        window: { fromMs: w.startMs, toMs: features.lastEventMs },
        evidence: [
          atLeast(id, 'inboundSum', w.inSum / 100, params.minInbound / 100, { window: params.window, unit }),
          atLeast(id, 'outboundShareOfInbound', round(share, 3), params.minOutShare, {
            window: params.window,
          }),
          atLeast(id, 'distinctPayers', w.distinctPayers, params.minDistinctPayers, {
            window: params.window,
          }),
          { rule: id, feature: 'outboundSum', value: w.outSum / 100, unit, window: params.window },
          { rule: id, feature: 'outboundCount', value: w.outCount, window: params.window },
        ],
        facts: { inSum: w.inSum, outSum: w.outSum, share, payers: w.distinctPayers, outCount: w.outCount },
      };
    },
  };
}
