// Fan-in: many small donations (deposits and transfers, not purchases) from many distinct payers into
// one wallet — the seed's crowdfunding shape, over hours (a re-shared post) or a day (a slow campaign).
// Judged first on what needs no baseline: donations rather than purchases, payers mostly new to the
// wallet and paying once, small amounts. Then, when FlowGuard knows the wallet's own normal, the
// window must be far above it (merchants and charities with such volume every day stay quiet); while
// it does not (cold start), the rule judges without it and says so. With `maxWalletAge` it only looks
// at wallets known to be young. No threshold is below the largest collection among friends (~40).
import { z } from 'zod';
import { isDonationLike } from '../domain/transaction.js';
import { baselineOf, normalHorizonHours } from './baseline-stats.js';
import { judgedInColdStart, knownAgeMs, ownPast, ownPastEvidence, walletAgeMs } from './cold-start.js';
import { donationShape, merchantLike, merchantOverLife } from './donation-shape.js';
import {
  amountParam,
  atLeast,
  atMost,
  durationParam,
  HOUR_MS,
  round,
  type RuleBuildContext,
} from './rule-params.js';
import { finding, windowAtPayment, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const fanInParams = z.object({
  window: z.string(),
  minSmallDeposits: z.number().int().nonnegative(),
  minDistinctPayers: z.number().int().positive(),
  minTotal: amountParam,
  /** Payers who paid the wallet once, as a share of the window's payers: donors give once, customers return. */
  minOneOffShare: z.number().min(0).max(1).default(0),
  /** Payers whose first payment to the wallet is in the window, as a share of its payers. */
  minNewPayerShare: z.number().min(0).max(1).default(0),
  /** Above this share of purchases among inbound payments (window or lifetime) the wallet is a shop. */
  maxPurchaseShare: z.number().min(0).max(1).default(1),
  /** The window's donations must be at least this many times what the wallet's own history predicts. */
  minRatioToBaseline: z.number().positive(),
  maxWalletAge: durationParam.optional(),
  /** An older wallet's own baseline counts once FlowGuard has watched it this long; before, cold start. */
  minOwnHistory: durationParam.prefault('24h'),
  /** While its baseline is unknown, a wallet is judged only if opened at most this long ago (else it waits). */
  coldStartMaxAge: durationParam.optional(),
});
export type FanInParams = z.infer<typeof fanInParams>;

export function fanInRule(base: Omit<Rule, 'evaluate'>, params: FanInParams, ctx: RuleBuildContext): Rule {
  const minTotal = ctx.base.toMinor(params.minTotal);
  const minOwnHistoryMs = params.minOwnHistory.ms;
  return {
    ...base,
    reachable: (s) =>
      s.lifetime.donationCount >= params.minSmallDeposits &&
      s.payers.size >= params.minDistinctPayers &&
      s.lifetime.inSum >= minTotal &&
      !merchantOverLife(s, params.maxPurchaseShare),
    evaluate(input: RuleInput): RuleOutcome {
      const { wallet, side } = input;
      // Only a donation can make the window more campaign-like.
      if (side?.direction !== 'in' || !isDonationLike(side.event.type)) return null;
      const w = windowAtPayment(input, params.window);
      if (w.smallDonationCount < params.minSmallDeposits || w.distinctPayers < params.minDistinctPayers)
        return null;
      if (w.donationSum < minTotal) return null;
      const shape = donationShape(wallet, w);
      if (merchantLike(shape, params.maxPurchaseShare)) return null;
      if (shape.oneOffShare < params.minOneOffShare || shape.newPayerShare < params.minNewPayerShare)
        return null;
      const ageMs = walletAgeMs(input);
      if (params.maxWalletAge) {
        // "Young" needs a known age: an opening time, or FlowGuard having run long before it appeared.
        const known = knownAgeMs(input);
        if (known === null || known > params.maxWalletAge.ms) return null;
      }

      const past = ownPast(input, w.startMs, minOwnHistoryMs);
      const history = wallet.hourlyHistory(input.featureConfig.baselineDays * 24 + 1);
      const windowHours = (input.atMs - w.startMs) / HOUR_MS;
      const baseline = baselineOf(history, past.watchedFromMs, w.startMs);
      const expected = baseline.meanDonationsPerHour * normalHorizonHours(windowHours);
      const ratio = expected > 0 ? w.donationCount / expected : Number.POSITIVE_INFINITY;
      if (past.baselineKnown && ratio < params.minRatioToBaseline) return null;
      if (!past.baselineKnown && !judgedInColdStart(input, params.coldStartMaxAge?.ms)) return null;

      const id = base.id;
      const unit = ctx.base.code;
      const at = { window: params.window };
      const evidence = [
        atLeast(id, 'smallDonations', w.smallDonationCount, params.minSmallDeposits, at),
        atLeast(id, 'distinctPayers', w.distinctPayers, params.minDistinctPayers, at),
        atLeast(id, 'donationSum', ctx.base.toMajor(w.donationSum), params.minTotal, { ...at, unit }),
        atLeast(id, 'oneOffPayerShare', round(shape.oneOffShare, 3), params.minOneOffShare, at),
        atLeast(id, 'newPayerShare', round(shape.newPayerShare, 3), params.minNewPayerShare, at),
        atMost(id, 'purchaseShare', round(shape.purchaseShare, 3), params.maxPurchaseShare, at),
        { rule: id, feature: 'newPayers', value: w.newPayers, window: params.window },
        ...ownPastEvidence(id, input, past, minOwnHistoryMs, params.coldStartMaxAge?.ms),
      ];
      if (past.baselineKnown) {
        // No prior activity gives an infinite ratio, which JSON cannot carry: say it in words.
        evidence.push(
          atLeast(
            id,
            'ratioToOwnBaseline',
            Number.isFinite(ratio) ? round(ratio) : 'no prior activity',
            params.minRatioToBaseline,
            at,
          ),
          {
            rule: id,
            feature: 'baselineDonationsPerHour',
            value: round(baseline.meanDonationsPerHour),
            unit: 'donations/hour',
          },
        );
      }
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
        { fromMs: w.startMs, toMs: input.atMs },
        {
          evidence,
          facts: {
            deposits: w.donationCount,
            smallDeposits: w.smallDonationCount,
            payers: w.distinctPayers,
            oneOffShare: shape.oneOffShare,
            sum: w.donationSum,
            ageMs,
            baselinePerHour: baseline.meanDonationsPerHour,
            baseline: past.baselineKnown ? 'known' : 'unknown',
            watchedMs: past.watchedMs,
          },
        },
      );
    },
  };
}
