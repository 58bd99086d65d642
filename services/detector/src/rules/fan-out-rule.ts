// Fan-out: one wallet paying many distinct payees in a short time — when the wallet is young (by the
// opening time the processor sends) or was itself fed by many payers (distribution of collected
// money). Payroll from an established wallet funded by its owner stays quiet.
import { z } from 'zod';
import { walletAgeMs } from './cold-start.js';
import { atLeast, durationParam, HOUR_MS, round, type RuleBuildContext } from './rule-params.js';
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const fanOutParams = z.object({
  window: z.string(),
  minDistinctPayees: z.number().int().positive(),
  youngWalletAge: durationParam,
  fundingWindow: z.string(),
  minFundingPayers: z.number().int().positive(),
});
export type FanOutParams = z.infer<typeof fanOutParams>;

export function fanOutRule(base: Omit<Rule, 'evaluate'>, params: FanOutParams, ctx: RuleBuildContext): Rule {
  return {
    ...base,
    reachable: (s) => s.payees.size >= params.minDistinctPayees,
    evaluate(input: RuleInput): RuleOutcome {
      const { wallet, side } = input;
      if (side?.direction !== 'out') return null;
      const w = wallet.window(params.window);
      if (w.distinctPayees < params.minDistinctPayees) return null;
      const ageMs = walletAgeMs(input);
      const fundingPayers = wallet.window(params.fundingWindow).distinctPayers;
      // Young by the processor's opening time: a wallet FlowGuard merely never saw may be an old one
      // woken up (an employer's wallet used once a month), and payroll is this very shape.
      const young = wallet.state.openedAtMs !== null && ageMs <= params.youngWalletAge.ms;
      const crowdFunded = fundingPayers >= params.minFundingPayers;
      if (!young && !crowdFunded) return null;
      const id = base.id;
      return finding(
        base,
        params.window,
        { fromMs: w.startMs, toMs: wallet.state.lastEventMs },
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
            {
              rule: id,
              feature: 'outboundSum',
              value: ctx.base.toMajor(w.outSum),
              unit: ctx.base.code,
              window: params.window,
            },
          ],
          facts: { payees: w.distinctPayees, outSum: w.outSum, ageMs, fundingPayers },
        },
      );
    },
  };
}
