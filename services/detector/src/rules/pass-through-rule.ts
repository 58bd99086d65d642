// Pass-through (mule): most of the money several payers gave a wallet (deposits and transfers in, in
// large amounts) leaves again within hours, by withdrawal or transfer (a purchase is not passing money
// on). A shop paying out its takings is not a mule: purchases are not given money, and a wallet that
// mostly sells stays quiet. When FlowGuard knows the wallet's own normal, the inflow must also be far
// above it; while it does not (cold start), the rule judges on the flow alone and says so.
import { z } from 'zod';
import { isDonationLike, isPassingOn } from '../domain/transaction.js';
import { FIELD, someBucketReaches } from '../state/wallet-state.js';
import { baselineOf, normalHorizonHours } from './baseline-stats.js';
import { judgedInColdStart, ownPast, ownPastEvidence } from './cold-start.js';
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
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

// Read once: under tsx every read of an import is a getter call.
const IN_MAX = FIELD.inMax;

export const passThroughParams = z.object({
  window: z.string(),
  /** Money given to the wallet in the window (deposits and transfers in). */
  minInbound: amountParam,
  /** The mean gift: mules take large transfers, collections among friends small ones. */
  minMeanInbound: amountParam.default(0),
  minOutShare: z.number().gt(0).max(1),
  minDistinctPayers: z.number().int().positive(),
  /** Above this share of purchases among inbound payments (window or lifetime) the wallet is a shop. */
  maxPurchaseShare: z.number().min(0).max(1).default(1),
  /** The window's inflow must be at least this many times what the wallet's history predicts. */
  minRatioToBaseline: z.number().positive(),
  /** An older wallet's own baseline counts once FlowGuard has watched it this long; before, cold start. */
  minOwnHistory: durationParam,
  /** While its baseline is unknown, a wallet is judged only if opened at most this long ago (else it waits). */
  coldStartMaxAge: durationParam.optional(),
});
export type PassThroughParams = z.infer<typeof passThroughParams>;

export function passThroughRule(
  base: Omit<Rule, 'evaluate'>,
  params: PassThroughParams,
  ctx: RuleBuildContext,
): Rule {
  const minInbound = ctx.base.toMinor(params.minInbound);
  const minMeanInbound = ctx.base.toMinor(params.minMeanInbound);
  const minOwnHistoryMs = params.minOwnHistory.ms;
  return {
    ...base,
    // Some money must have been passed on (minOutShare > 0). A shop over its life is merchantLike in
    // every window, and no window's mean gift exceeds the largest payment the buckets hold: most
    // wallets are ruled out here, before a window is built and then kept current for them.
    reachable: (s) =>
      s.payers.size >= params.minDistinctPayers &&
      s.lifetime.inSum >= minInbound &&
      s.lifetime.outCount > 0 &&
      !merchantOverLife(s, params.maxPurchaseShare) &&
      (minMeanInbound <= 0 || someBucketReaches(s, IN_MAX, minMeanInbound)),
    evaluate(input: RuleInput): RuleOutcome {
      const { wallet, side } = input;
      // Either side can complete the picture: the payments in and out of a wallet travel on different
      // partitions (each keyed by its receiver), so the money passed on may be applied before the gifts.
      if (!side || !(side.direction === 'out' ? isPassingOn : isDonationLike)(side.event.type)) return null;
      const w = wallet.window(params.window);
      if (w.donationSum < minInbound || w.distinctPayers < params.minDistinctPayers) return null;
      const shape = donationShape(wallet, w);
      if (shape.meanDonation < minMeanInbound || merchantLike(shape, params.maxPurchaseShare)) return null;
      const share = w.passOnSum / w.donationSum;
      if (share < params.minOutShare) return null;

      const s = wallet.state;
      const past = ownPast(input, w.startMs, minOwnHistoryMs);
      const history = wallet.hourlyHistory(input.featureConfig.baselineDays * 24 + 1);
      const hours = normalHorizonHours((s.lastEventMs - w.startMs) / HOUR_MS);
      const baseline = baselineOf(history, past.watchedFromMs, w.startMs);
      const expected = baseline.meanSumPerHour * hours;
      const ratio = expected > 0 ? w.inSum / expected : Number.POSITIVE_INFINITY;
      if (past.baselineKnown && ratio < params.minRatioToBaseline) return null;
      if (!past.baselineKnown && !judgedInColdStart(input, params.coldStartMaxAge?.ms)) return null;

      const id = base.id;
      const unit = ctx.base.code;
      const at = { window: params.window };
      const evidence = [
        atLeast(id, 'givenSum', ctx.base.toMajor(w.donationSum), params.minInbound, { ...at, unit }),
        atLeast(id, 'meanGift', ctx.base.toMajor(Math.round(shape.meanDonation)), params.minMeanInbound, {
          ...at,
          unit,
        }),
        atLeast(id, 'passedOnShareOfGiven', round(share, 3), params.minOutShare, at),
        atLeast(id, 'distinctPayers', w.distinctPayers, params.minDistinctPayers, at),
        atMost(id, 'purchaseShare', round(shape.purchaseShare, 3), params.maxPurchaseShare, at),
        { rule: id, feature: 'passedOnSum', value: ctx.base.toMajor(w.passOnSum), unit, ...at },
        { rule: id, feature: 'passedOnCount', value: w.passOnCount, ...at },
        ...ownPastEvidence(id, input, past, minOwnHistoryMs, params.coldStartMaxAge?.ms),
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
            inSum: w.donationSum,
            outSum: w.passOnSum,
            share,
            payers: w.distinctPayers,
            outCount: w.passOnCount,
            baseline: past.baselineKnown ? 'known' : 'unknown',
          },
        },
      );
    },
  };
}
