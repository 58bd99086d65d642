// Fan-in: many small donations (deposits and transfers, not purchases) from many distinct payers into
// one wallet within hours — the seed's crowdfunding shape. With `maxWalletAge` it only looks at young
// wallets, at lower thresholds. Wallets whose own history already carries such volume are left alone.
import { z } from 'zod';
import { baselineOf } from './baseline-stats.js';
import { isColdStart, knownAgeMs, walletAgeMs } from './cold-start.js';
import {
  amountParam,
  atLeast,
  atMost,
  durationParam,
  HOUR_MS,
  round,
  type RuleBuildContext,
} from './rule-params.js';
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const fanInParams = z.object({
  window: z.string(),
  minSmallDeposits: z.number().int().positive(),
  minDistinctPayers: z.number().int().positive(),
  minTotal: amountParam,
  /** The window's donations must be at least this many times what the wallet's own history predicts. */
  minRatioToBaseline: z.number().positive(),
  maxWalletAge: durationParam.optional(),
  /** Cold start: a wallet older than this whose past FlowGuard cannot have seen waits for this much of it. */
  minOwnHistory: durationParam.optional(),
});
export type FanInParams = z.infer<typeof fanInParams>;

export function fanInRule(base: Omit<Rule, 'evaluate'>, params: FanInParams, ctx: RuleBuildContext): Rule {
  const minTotal = ctx.base.toMinor(params.minTotal);
  return {
    ...base,
    evaluate(input: RuleInput): RuleOutcome {
      const { wallet, side } = input;
      if (side?.direction !== 'in') return null;
      const w = wallet.window(params.window);
      if (w.smallDonationCount < params.minSmallDeposits || w.distinctPayers < params.minDistinctPayers)
        return null;
      if (w.donationSum < minTotal) return null;
      const ageMs = walletAgeMs(input);
      if (params.maxWalletAge) {
        // "Young" needs a known age: an opening time, or FlowGuard having run long before it appeared.
        const known = knownAgeMs(input);
        if (known === null || known > params.maxWalletAge.ms) return null;
      }
      if (params.minOwnHistory && isColdStart(input, w.startMs, params.minOwnHistory.ms)) return null;

      const s = wallet.state;
      const history = wallet.hourlyHistory(input.featureConfig.baselineDays * 24 + 1);
      const windowHours = (s.lastEventMs - w.startMs) / HOUR_MS;
      const baseline = baselineOf(history, s.firstSeenMs, w.startMs);
      const expected = baseline.meanDonationsPerHour * Math.max(windowHours, 1);
      const ratio = expected > 0 ? w.donationCount / expected : Number.POSITIVE_INFINITY;
      if (ratio < params.minRatioToBaseline) return null;

      const id = base.id;
      const unit = ctx.base.code;
      const evidence = [
        atLeast(id, 'smallDonations', w.smallDonationCount, params.minSmallDeposits, {
          window: params.window,
        }),
        atLeast(id, 'distinctPayers', w.distinctPayers, params.minDistinctPayers, { window: params.window }),
        atLeast(id, 'donationSum', ctx.base.toMajor(w.donationSum), params.minTotal, {
          window: params.window,
          unit,
        }),
        // No prior activity gives an infinite ratio, which JSON cannot carry: say it in words.
        atLeast(
          id,
          'ratioToOwnBaseline',
          Number.isFinite(ratio) ? round(ratio) : 'no prior activity',
          params.minRatioToBaseline,
          { window: params.window },
        ),
        {
          rule: id,
          feature: 'baselineDonationsPerHour',
          value: round(baseline.meanDonationsPerHour),
          unit: 'donations/hour',
        },
        { rule: id, feature: 'newPayers', value: w.newPayers, window: params.window },
      ];
      if (params.maxWalletAge) {
        evidence.push(
          atMost(id, 'walletAgeHours', round(ageMs / HOUR_MS), params.maxWalletAge.ms / HOUR_MS, {
            unit: 'hours',
          }),
        );
      }
      return finding(
        base,
        params.window,
        { fromMs: w.startMs, toMs: s.lastEventMs },
        {
          evidence,
          facts: {
            deposits: w.donationCount,
            smallDeposits: w.smallDonationCount,
            payers: w.distinctPayers,
            sum: w.donationSum,
            ageMs,
            baselinePerHour: baseline.meanDonationsPerHour,
          },
        },
      );
    },
  };
}
