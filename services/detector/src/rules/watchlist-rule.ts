// Watchlist: a wallet whose id was seen in a public fundraising post (intel.wallet-mentions or
// POST /v1/watchlist) receives its first payment after the mention. The alert cites the sources.
import { z } from 'zod';
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const watchlistParams = z.object({}).strict();
export type WatchlistParams = z.infer<typeof watchlistParams>;

export function watchlistRule(base: Omit<Rule, 'evaluate'>): Rule {
  return {
    ...base,
    evaluate({ wallet, side, atMs }: RuleInput): RuleOutcome {
      if (side?.direction !== 'in') return null;
      const { watch } = wallet.state;
      // In force at the payment's event time: from the post being seen until the listing ends.
      const active = watch.entries.filter((e) => e.seenAtMs <= atMs && atMs < e.expiresAtMs);
      if (!active.length) return null;
      // Only the first payment after the newest mention: later ones are the same story.
      const newest = Math.max(...active.map((e) => e.seenAtMs));
      if (watch.alertedAtMs !== null && watch.alertedAtMs >= newest) return null;
      const id = base.id;
      return finding(
        base,
        'mention',
        { fromMs: newest, toMs: atMs },
        {
          evidence: [
            { rule: id, feature: 'mentions', value: active.length },
            { rule: id, feature: 'firstSource', value: active[0]!.source },
          ],
          facts: { mentions: active.length, source: active.map((e) => e.source).join('; ') },
          watchlist: active.map((e) => ({
            mentionId: e.mentionId,
            source: e.source,
            ...(e.url ? { url: e.url } : {}),
            seenAt: new Date(e.seenAtMs).toISOString(),
          })),
        },
      );
    },
  };
}
