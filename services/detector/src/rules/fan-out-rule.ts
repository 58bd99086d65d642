// Fan-out: one wallet paying many distinct payees in a short time — when the wallet is young or was
// itself fed by many payers (distribution of collected money). Payroll from an established wallet
// funded by its owner stays quiet.
import { z } from 'zod';
import { walletAgeMs } from '../features/wallet-features.js';
import { knownAgeMs } from './cold-start.js';
import { round } from './fan-in-rule.js';
import { atLeast, durationParam, HOUR_MS } from './rule-params.js';
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const fanOutParams = z.object({
  window: z.string(),
  minDistinctPayees: z.number().int().positive(),
  youngWalletAge: durationParam,
  fundingWindow: z.string(),
  minFundingPayers: z.number().int().positive(),
});
export type FanOutParams = z.infer<typeof fanOutParams>;

export function fanOutRule(base: Omit<Rule, 'evaluate'>, params: FanOutParams): Rule {
  return {
    ...base,
    evaluate(input: RuleInput): RuleOutcome {
      const { features, update } = input;
      if (update.direction !== 'out') return null;
      const w = features.windows[params.window]!;
      if (w.distinctPayees < params.minDistinctPayees) return null;
      const ageMs = walletAgeMs(features, update.event.occurredAtMs);
      const fundingPayers = features.windows[params.fundingWindow]!.distinctPayers;
      const knownAge = knownAgeMs(input);
      const young = knownAge !== null && knownAge <= params.youngWalletAge.ms;
      const crowdFunded = fundingPayers >= params.minFundingPayers;
      if (!young && !crowdFunded) return null;
      const id = base.id;
      return finding(
        base,
        params.window,
        { fromMs: w.startMs, toMs: features.lastEventMs },
        {
          evidence: [
            atLeast(id, 'distinctPayees', w.distinctPayees, params.minDistinctPayees, {
              window: params.window,
            }),
            young
              ? {
                  rule: id,
                  feature: 'walletAgeHours',
                  value: round(ageMs / HOUR_MS),
                  threshold: params.youngWalletAge.ms / HOUR_MS,
                  comparison: '<=' as const,
                }
              : atLeast(id, 'fundingPayers', fundingPayers, params.minFundingPayers, {
                  window: params.fundingWindow,
                }),
            { rule: id, feature: 'outboundSum', value: w.outSum / 100, window: params.window },
          ],
          facts: { payees: w.distinctPayees, outSum: w.outSum, ageMs, fundingPayers },
        },
      );
    },
  };
}
