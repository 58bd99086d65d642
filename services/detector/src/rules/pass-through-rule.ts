// Pass-through (mule): most of the money that came in from several payers leaves again within hours,
// by withdrawal or transfer (a purchase is not passing money on). A wallet whose inflow is what its
// own history predicts (a merchant paying out its takings) stays quiet.
import { z } from 'zod';
import { isPassingOn } from '../domain/transaction.js';
import { baselineOf } from './baseline-stats.js';
import { isColdStart } from './cold-start.js';
import { amountParam, atLeast, durationParam, HOUR_MS, round, type RuleBuildContext } from './rule-params.js';
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

export function passThroughRule(
  base: Omit<Rule, 'evaluate'>,
  params: PassThroughParams,
  ctx: RuleBuildContext,
): Rule {
  const minInbound = ctx.base.toMinor(params.minInbound);
  return {
    ...base,
    evaluate(input: RuleInput): RuleOutcome {
      const { wallet, side } = input;
      if (side?.direction !== 'out' || !isPassingOn(side.event.type)) return null;
      const w = wallet.window(params.window);
      if (w.inSum < minInbound || w.distinctPayers < params.minDistinctPayers) return null;
      const share = w.passOnSum / w.inSum;
      if (share < params.minOutShare) return null;
      if (isColdStart(input, w.startMs, params.minOwnHistory.ms)) return null;
      const s = wallet.state;
      const history = wallet.hourlyHistory(input.featureConfig.baselineDays * 24 + 1);
      const hours = Math.max((s.lastEventMs - w.startMs) / HOUR_MS, 1);
      const baseline = baselineOf(history, s.firstSeenMs, w.startMs);
      const expected = baseline.meanSumPerHour * hours;
      const ratio = expected > 0 ? w.inSum / expected : Number.POSITIVE_INFINITY;
      if (ratio < params.minRatioToBaseline) return null;

      const id = base.id;
      const unit = ctx.base.code;
      return finding(
        base,
        params.window,
        { fromMs: w.startMs, toMs: s.lastEventMs },
        {
          evidence: [
            atLeast(id, 'inboundSum', ctx.base.toMajor(w.inSum), params.minInbound, {
              window: params.window,
              unit,
            }),
            atLeast(id, 'passedOnShareOfInbound', round(share, 3), params.minOutShare, {
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
              { window: params.window },
            ),
            {
              rule: id,
              feature: 'passedOnSum',
              value: ctx.base.toMajor(w.passOnSum),
              unit,
              window: params.window,
            },
            { rule: id, feature: 'passedOnCount', value: w.passOnCount, window: params.window },
          ],
          facts: {
            inSum: w.inSum,
            outSum: w.passOnSum,
            share,
            payers: w.distinctPayers,
            outCount: w.passOnCount,
          },
        },
      );
    },
  };
}
