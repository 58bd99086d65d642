// Replacement wallet: a wallet whose payers overlap with those of a wallet already alerted or flagged
// by an analyst. The overlap is counted in Redis as payers arrive (see update-wallet-7.lua).
import { z } from 'zod';
import { round } from './fan-in-rule.js';
import { atLeast } from './rule-params.js';
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const replacementWalletParams = z.object({
  minSharedPayers: z.number().int().positive(),
  /** Shared payers as a share of all payers the wallet holds. */
  minShare: z.number().gt(0).max(1),
});
export type ReplacementWalletParams = z.infer<typeof replacementWalletParams>;

export function replacementWalletRule(base: Omit<Rule, 'evaluate'>, params: ReplacementWalletParams): Rule {
  return {
    ...base,
    evaluate({ features, update }: RuleInput): RuleOutcome {
      if (update.direction !== 'in' || !features.overlap) return null;
      const { walletId: flagged, sharedPayers } = features.overlap;
      const share = sharedPayers / Math.max(features.payersHeld, 1);
      if (sharedPayers < params.minSharedPayers || share < params.minShare) return null;
      const id = base.id;
      return finding(
        base,
        'lifetime',
        { fromMs: features.firstSeenMs, toMs: features.lastEventMs },
        {
          evidence: [
            atLeast(id, 'sharedPayers', sharedPayers, params.minSharedPayers),
            atLeast(id, 'sharedPayerShare', round(share, 3), params.minShare),
            { rule: id, feature: 'flaggedWallet', value: flagged },
            { rule: id, feature: 'payersHeld', value: features.payersHeld },
          ],
          facts: { flagged, sharedPayers, share, payers: features.payersHeld },
          relatedWalletIds: [flagged],
        },
      );
    },
  };
}
