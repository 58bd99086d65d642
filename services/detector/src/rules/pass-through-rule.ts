// Pass-through (mule): most of the money that came in from several payers leaves again within hours,
// by withdrawal or transfer (a purchase is not passing money on). A wallet whose inflow is what its
// own history predicts (a merchant paying out its takings) stays quiet.
import { z } from 'zod';
import { baselineOf } from './baseline-stats.js';
import { isColdStart } from './cold-start.js';
import { round } from './fan-in-rule.js';
import { amountParam, atLeast, durationParam, HOUR_MS } from './rule-params.js';
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const passThroughParams = z.object({
  window: z.string(),
  minInbound: amountParam,
  minOutShare: z.number().gt(0).max(1),
  minDistinctPayers: z.number().int().positive(),
  /** The window's inflow must be at least this many times what the wallet's history predicts. */
  minRatioToBaseline: z.number().positive(),
  minOwnHistory: durationParam,
});
export type PassThroughParams = z.infer<typeof passThroughParams>;

const PASSING_ON = new Set(['withdrawal', 'transfer']);

export function passThroughRule(base: Omit<Rule, 'evaluate'>, params: PassThroughParams): Rule {
  return {
    ...base,
    evaluate(input: RuleInput): RuleOutcome {
      const { features, update, featureConfig, history } = input;
      if (update.direction !== 'out' || !PASSING_ON.has(update.event.type)) return null;
      const w = features.windows[params.window]!;
      if (w.inSum < params.minInbound || w.distinctPayers < params.minDistinctPayers) return null;
      const share = w.outSum / w.inSum;
      if (share < params.minOutShare) return null;
      if (isColdStart(input, w.startMs, params.minOwnHistory.ms)) return null;
      if (!history) return 'needs-history';
      const hours = Math.max((features.lastEventMs - w.startMs) / HOUR_MS, 1);
      const baseline = baselineOf(history, features.firstSeenMs, w.startMs);
      const expected = baseline.meanSumPerHour * hours;
      const ratio = expected > 0 ? w.inSum / expected : Number.POSITIVE_INFINITY;
      if (ratio < params.minRatioToBaseline) return null;

      const id = base.id;
      const unit = featureConfig.baseCurrency;
      return finding(
        base,
        params.window,
        { fromMs: w.startMs, toMs: features.lastEventMs },
        {
          evidence: [
            atLeast(id, 'inboundSum', w.inSum / 100, params.minInbound / 100, {
              window: params.window,
              unit,
            }),
            atLeast(id, 'outboundShareOfInbound', round(share, 3), params.minOutShare, {
              window: params.window,
            }),
            atLeast(id, 'distinctPayers', w.distinctPayers, params.minDistinctPayers, {
              window: params.window,
            }),
            atLeast(
              id,
              'inboundRatioToOwnBaseline',
              Number.isFinite(ratio) ? round(ratio) : 'no prior inflow',
              params.minRatioToBaseline,
              {
                window: params.window,
              },
            ),
            { rule: id, feature: 'outboundSum', value: w.outSum / 100, unit, window: params.window },
            { rule: id, feature: 'outboundCount', value: w.outCount, window: params.window },
          ],
          facts: { inSum: w.inSum, outSum: w.outSum, share, payers: w.distinctPayers, outCount: w.outCount },
        },
      );
    },
  };
}
