// Layering (gather-scatter): over up to three days a wallet gathers large sums from several senders
// and passes most of it on to several receivers, by transfer or withdrawal. Shops (their inflow is
// purchases) and payroll (one funder, many payees) stay quiet. When FlowGuard knows the wallet's own
// normal, the inflow must be far above it (a business that always moves such sums); while it does not
// (cold start), the flow alone decides and the alert says so.
import { z } from 'zod';
import { isDonationLike, isPassingOn } from '../domain/transaction.js';
import { baselineOf, normalHorizonHours } from './baseline-stats.js';
import { ownPast, ownPastEvidence } from './cold-start.js';
import { donationShape, merchantLike } from './donation-shape.js';
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

export const layeringParams = z.object({
  window: z.string(),
  /** Distinct payers who gave the wallet money in the window. */
  minSenders: z.number().int().positive(),
  /** Distinct payees, and at least as many payments passing money on. */
  minReceivers: z.number().int().positive(),
  /** Money given to the wallet in the window (deposits and transfers in). */
  minInbound: amountParam,
  minMeanInbound: amountParam,
  /** Passed on (withdrawals and transfers out) as a share of the money given. */
  minPassedOnShare: z.number().gt(0).max(1),
  maxPurchaseShare: z.number().min(0).max(1),
  minRatioToBaseline: z.number().positive(),
  minOwnHistory: durationParam,
});
export type LayeringParams = z.infer<typeof layeringParams>;

export function layeringRule(
  base: Omit<Rule, 'evaluate'>,
  params: LayeringParams,
  ctx: RuleBuildContext,
): Rule {
  const minInbound = ctx.base.toMinor(params.minInbound);
  const minMeanInbound = ctx.base.toMinor(params.minMeanInbound);
  const minOwnHistoryMs = params.minOwnHistory.ms;
  return {
    ...base,
    reachable: (s) =>
      s.payers.size >= params.minSenders &&
      s.lifetime.inSum >= minInbound &&
      s.payees.size >= params.minReceivers &&
      s.lifetime.outCount >= params.minReceivers,
    evaluate(input: RuleInput): RuleOutcome {
      const { wallet, side } = input;
      // Judged on a gift or a payment passing money on: the two travel on different partitions, so
      // either may complete the picture.
      if (!side || !(side.direction === 'out' ? isPassingOn : isDonationLike)(side.event.type)) return null;
      const w = wallet.window(params.window);
      if (w.distinctPayers < params.minSenders || w.donationSum < minInbound) return null;
      if (w.distinctPayees < params.minReceivers || w.passOnCount < params.minReceivers) return null;
      const shape = donationShape(wallet, w);
      if (shape.meanDonation < minMeanInbound || merchantLike(shape, params.maxPurchaseShare)) return null;
      const share = w.passOnSum / w.donationSum;
      if (share < params.minPassedOnShare) return null;

      const s = wallet.state;
      const past = ownPast(input, w.startMs, minOwnHistoryMs);
      const history = wallet.hourlyHistory(input.featureConfig.baselineDays * 24 + 1);
      const hours = normalHorizonHours((s.lastEventMs - w.startMs) / HOUR_MS);
      const baseline = baselineOf(history, past.watchedFromMs, w.startMs);
      const expected = baseline.meanSumPerHour * hours;
      const ratio = expected > 0 ? w.inSum / expected : Number.POSITIVE_INFINITY;
      if (past.baselineKnown && ratio < params.minRatioToBaseline) return null;

      const id = base.id;
      const unit = ctx.base.code;
      const at = { window: params.window };
      const evidence = [
        atLeast(id, 'senders', w.distinctPayers, params.minSenders, at),
        atLeast(id, 'givenSum', ctx.base.toMajor(w.donationSum), params.minInbound, { ...at, unit }),
        atLeast(id, 'meanGift', ctx.base.toMajor(Math.round(shape.meanDonation)), params.minMeanInbound, {
          ...at,
          unit,
        }),
        atLeast(id, 'receivers', w.distinctPayees, params.minReceivers, at),
        atLeast(id, 'passedOnCount', w.passOnCount, params.minReceivers, at),
        atLeast(id, 'passedOnShareOfGiven', round(share, 3), params.minPassedOnShare, at),
        atMost(id, 'purchaseShare', round(shape.purchaseShare, 3), params.maxPurchaseShare, at),
        ...ownPastEvidence(id, input, past, minOwnHistoryMs),
      ];
      if (past.baselineKnown) {
        evidence.push(
          atLeast(
            id,
            'inboundRatioToOwnBaseline',
            Number.isFinite(ratio) ? round(ratio) : 'no prior inflow',
            params.minRatioToBaseline,
            at,
          ),
        );
      }
      return finding(
        base,
        params.window,
        { fromMs: w.startMs, toMs: s.lastEventMs },
        {
          evidence,
          facts: {
            senders: w.distinctPayers,
            receivers: w.distinctPayees,
            inSum: w.donationSum,
            outSum: w.passOnSum,
            share,
            baseline: past.baselineKnown ? 'known' : 'unknown',
          },
        },
      );
    },
  };
}
