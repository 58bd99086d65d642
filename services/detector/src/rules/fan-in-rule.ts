// Fan-in: many small deposits from many distinct payers into one wallet within hours (the seed's
// crowdfunding shape). With `maxWalletAge` it only looks at young wallets, at lower thresholds.
// Wallets whose own history already carries such volume (merchants) are left alone.
import { z } from 'zod';
import { walletAgeMs } from '../features/wallet-features.js';
import { baselineOf } from './baseline-stats.js';
import { isColdStart, knownAgeMs } from './cold-start.js';
import { amountParam, atLeast, atMost, durationParam, HOUR_MS } from './rule-params.js';
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const fanInParams = z.object({
  window: z.string(),
  minSmallDeposits: z.number().int().positive(),
  minDistinctPayers: z.number().int().positive(),
  minTotal: amountParam,
  /** The window's count must be at least this many times what the wallet's own history predicts. */
  minRatioToBaseline: z.number().positive(),
  maxWalletAge: durationParam.optional(),
  /**
   * Cold start: a wallet the processor says is older than this, that FlowGuard first saw less than this
   * before the window because FlowGuard itself had just started, has a past we cannot see; it is not
   * judged until we hold this much of its own history (merchants on the first day of a deployment).
   */
  minOwnHistory: durationParam.optional(),
});
export type FanInParams = z.infer<typeof fanInParams>;

export function fanInRule(base: Omit<Rule, 'evaluate'>, params: FanInParams): Rule {
  return {
    ...base,
    evaluate(input: RuleInput): RuleOutcome {
      const { features, update, history } = input;
      if (update.direction !== 'in') return null;
      const w = features.windows[params.window]!;
      const now = update.event.occurredAtMs;
      const ageMs = walletAgeMs(features, now);
      if (params.maxWalletAge) {
        // "Young" needs a known age: an opening time, or FlowGuard having run long before it appeared.
        const known = knownAgeMs(input);
        if (known === null || known > params.maxWalletAge.ms) return null;
      }
      if (w.smallInCount < params.minSmallDeposits || w.distinctPayers < params.minDistinctPayers)
        return null;
      if (w.inSum < params.minTotal) return null;
      if (params.minOwnHistory && isColdStart(input, w.startMs, params.minOwnHistory.ms)) return null;
      if (!history) return 'needs-history';

      const windowHours = (features.lastEventMs - w.startMs) / HOUR_MS;
      const baseline = baselineOf(history, features.firstSeenMs, w.startMs);
      const expected = baseline.meanPerHour * Math.max(windowHours, 1);
      const ratio = expected > 0 ? w.inCount / expected : Number.POSITIVE_INFINITY;
      if (ratio < params.minRatioToBaseline) return null;

      const id = base.id;
      const evidence = [
        atLeast(id, 'smallDeposits', w.smallInCount, params.minSmallDeposits, { window: params.window }),
        atLeast(id, 'distinctPayers', w.distinctPayers, params.minDistinctPayers, { window: params.window }),
        atLeast(id, 'inboundSum', w.inSum / 100, params.minTotal / 100, {
          window: params.window,
          unit: input.featureConfig.baseCurrency,
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
          feature: 'baselineInboundPerHour',
          value: round(baseline.meanPerHour),
          unit: 'deposits/hour',
        },
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
        { fromMs: w.startMs, toMs: features.lastEventMs },
        {
          evidence,
          facts: {
            deposits: w.inCount,
            smallDeposits: w.smallInCount,
            payers: w.distinctPayers,
            sum: w.inSum,
            ageMs,
            baselinePerHour: baseline.meanPerHour,
          },
        },
      );
    },
  };
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
