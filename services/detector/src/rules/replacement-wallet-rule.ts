// Replacement wallet: a wallet whose payers overlap with the donors of a wallet already flagged
// (a seeding alert with strong evidence, an analyst's confirmed/blocked, a watchlisted wallet). The
// overlap is counted as payers give (purchases never count), and in full when the other wallet is
// flagged (the pipeline's retro search), so it does not depend on which happened first. A shop is
// never a replacement wallet: its payers are customers, and donors shop too.
import { z } from 'zod';
import { isDonationLike } from '../domain/transaction.js';
import { donationShape, merchantLike } from './donation-shape.js';
import { atLeast, atMost, round } from './rule-params.js';
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const replacementWalletParams = z.object({
  minSharedPayers: z.number().int().positive(),
  /** Shared payers as a share of all payers the wallet holds. */
  minShare: z.number().gt(0).max(1),
  /** Above this share of purchases among inbound payments (24 h or lifetime) the wallet is a shop. */
  maxPurchaseShare: z.number().min(0).max(1).default(1),
  /** The window the purchase share is judged over. */
  window: z.string().default('24h'),
});
export type ReplacementWalletParams = z.infer<typeof replacementWalletParams>;

export function replacementWalletRule(base: Omit<Rule, 'evaluate'>, params: ReplacementWalletParams): Rule {
  return {
    ...base,
    evaluate({ wallet, side, atMs }: RuleInput): RuleOutcome {
      // Only a gift can add to the overlap; a purchase or a payment out changes nothing.
      if (side !== null && (side.direction !== 'in' || !isDonationLike(side.event.type))) return null;
      const s = wallet.state;
      if (s.replacement.overlap.size === 0) return null;
      const payersHeld = s.payers.size;
      let best: { walletId: string; shared: number; sample: string[] } | null = null;
      for (const [walletId, entry] of s.replacement.overlap) {
        if (walletId === s.walletId) continue;
        if (!best || entry.shared > best.shared)
          best = { walletId, shared: entry.shared, sample: entry.sample };
      }
      if (!best) return null;
      const share = best.shared / Math.max(payersHeld, 1);
      if (best.shared < params.minSharedPayers || share < params.minShare) return null;
      const shape = donationShape(wallet, wallet.window(params.window));
      if (merchantLike(shape, params.maxPurchaseShare)) return null;
      const id = base.id;
      const shared = round(best.shared, 1);
      return finding(
        base,
        'lifetime',
        { fromMs: s.firstSeenMs, toMs: Math.max(s.lastEventMs, atMs) },
        {
          evidence: [
            atLeast(id, 'sharedPayers', shared, params.minSharedPayers),
            atLeast(id, 'sharedPayerShare', round(share, 3), params.minShare),
            { rule: id, feature: 'flaggedWallet', value: best.walletId },
            { rule: id, feature: 'payersHeld', value: payersHeld },
            atMost(id, 'purchaseShare', round(shape.purchaseShare, 3), params.maxPurchaseShare, {
              window: params.window,
            }),
          ],
          facts: { flagged: best.walletId, sharedPayers: shared, share, payers: payersHeld },
          relatedWallets: [
            {
              walletId: best.walletId,
              relation: 'shares-payers-with',
              sharedPayers: shared,
              payersHeld,
              samplePayers: best.sample.slice(0, 50),
            },
          ],
        },
      );
    },
  };
}
