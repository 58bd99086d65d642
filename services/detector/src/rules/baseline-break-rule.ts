// Break from baseline: the donations a wallet received in a recent window are far outside its own
// history. A Poisson tail against its mean hourly rate of donations, with floor counts of donations and
// payers above any collection among friends, so a charity with steady high volume stays quiet and a
// quiet wallet that suddenly takes hundreds of donations does not. Purchases are not donations: a
// shop's busy day is no break. It needs days of the wallet's own past; without them it abstains.
import { z } from 'zod';
import { isDonationLike } from '../domain/transaction.js';
import { baselineOf, poissonUpperTail, robustZ } from './baseline-stats.js';
import { ownPast } from './cold-start.js';
import { donationShape, merchantLike, merchantOverLife } from './donation-shape.js';
import { atLeast, atMost, DAY_MS, HOUR_MS, round } from './rule-params.js';
import { finding, windowAtPayment, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const baselineBreakParams = z.object({
  window: z.string(),
  /** Donations in the window. */
  minCount: z.number().int().positive(),
  minDistinctPayers: z.number().int().positive().default(1),
  /** Above this share of purchases among inbound payments (window or lifetime) the wallet is a shop. */
  maxPurchaseShare: z.number().min(0).max(1).default(1),
  minHistoryDays: z.number().positive(),
  minRatio: z.number().positive(),
  maxTailProbability: z.number().gt(0).lt(1),
});
export type BaselineBreakParams = z.infer<typeof baselineBreakParams>;

export function baselineBreakRule(base: Omit<Rule, 'evaluate'>, params: BaselineBreakParams): Rule {
  return {
    ...base,
    reachable: (s) =>
      s.lifetime.donationCount >= params.minCount &&
      s.payers.size >= params.minDistinctPayers &&
      !merchantOverLife(s, params.maxPurchaseShare),
    evaluate(input: RuleInput): RuleOutcome {
      const { wallet, side } = input;
      if (side?.direction !== 'in' || !isDonationLike(side.event.type)) return null;
      const w = windowAtPayment(input, params.window);
      if (w.donationCount < params.minCount || w.distinctPayers < params.minDistinctPayers) return null;
      if (merchantLike(donationShape(wallet, w), params.maxPurchaseShare)) return null;
      const minHistoryMs = params.minHistoryDays * DAY_MS;
      const past = ownPast(input, w.startMs, minHistoryMs);
      // Days of its own past, watched, whether or not the wallet was busy in them.
      if (past.watchedMs < minHistoryMs) return null;

      const history = wallet.hourlyHistory(input.featureConfig.baselineDays * 24 + 1);
      const hours = Math.max((input.atMs - w.startMs) / HOUR_MS, 1);
      const baseline = baselineOf(history, past.watchedFromMs, w.startMs);
      if (baseline.hoursObserved < params.minHistoryDays * 24 * 0.5) return null;
      // Half a donation per week keeps a never-active wallet's rate above zero.
      const expected = Math.max(baseline.meanDonationsPerHour, 0.5 / 168) * hours;
      const ratio = w.donationCount / expected;
      const tail = poissonUpperTail(w.donationCount, expected);
      if (ratio < params.minRatio || tail > params.maxTailProbability) return null;

      const id = base.id;
      const donationSpread = {
        medianPerHour: baseline.medianDonationsPerHour,
        madPerHour: baseline.madDonationsPerHour,
      };
      return finding(
        base,
        params.window,
        { fromMs: w.startMs, toMs: input.atMs },
        {
          evidence: [
            atLeast(id, 'donations', w.donationCount, params.minCount, { window: params.window }),
            atLeast(id, 'distinctPayers', w.distinctPayers, params.minDistinctPayers, {
              window: params.window,
            }),
            { rule: id, feature: 'expectedFromBaseline', value: round(expected), window: params.window },
            atLeast(id, 'ratioToBaseline', round(ratio), params.minRatio),
            atMost(id, 'poissonTailProbability', Number(tail.toPrecision(3)), params.maxTailProbability),
            { rule: id, feature: 'baselineMedianPerHour', value: baseline.medianDonationsPerHour },
            { rule: id, feature: 'baselineMadPerHour', value: baseline.madDonationsPerHour },
            {
              rule: id,
              feature: 'robustZ',
              value: round(robustZ(w.donationCount, donationSpread, hours)),
            },
            { rule: id, feature: 'baselineHours', value: baseline.hoursObserved, unit: 'hours' },
          ],
          facts: {
            deposits: w.donationCount,
            sum: w.donationSum,
            baselinePerHour: baseline.meanDonationsPerHour,
            expected,
          },
        },
      );
    },
  };
}
