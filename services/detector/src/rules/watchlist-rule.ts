// Watchlist: a wallet whose id was seen in a public fundraising post (intel.wallet-mentions or
// POST /v1/watchlist) receives its first payment after the mention. The alert cites the sources.
// The mentions topic and the payments topic advance independently, so the rule also runs when a
// mention is applied (no side): if a payment at or after the mention's time already arrived, that is
// the first payment after it, and the alert is raised then.
import { z } from 'zod';
import type { WalletState, WatchEntry } from '../state/wallet-state.js';
import { finding, type Rule, type RuleInput, type RuleOutcome } from './rule-types.js';

export const watchlistParams = z.object({}).strict();
export type WatchlistParams = z.infer<typeof watchlistParams>;

/** Event time of the newest payment the wallet received, as its payer set remembers it. */
function newestInboundMs(state: WalletState): number {
  let newest = Number.NEGATIVE_INFINITY;
  for (const payer of state.payers.values()) newest = Math.max(newest, payer.lastMs);
  return newest;
}

export function watchlistRule(base: Omit<Rule, 'evaluate'>): Rule {
  return {
    ...base,
    evaluate({ wallet, side, atMs }: RuleInput): RuleOutcome {
      if (side !== null && side.direction !== 'in') return null;
      const { watch } = wallet.state;
      if (!watch.entries.length) return null;
      // The payment judged: this one, or (a mention just applied) the newest one already received.
      const paidAtMs = side !== null ? atMs : newestInboundMs(wallet.state);
      // In force at the payment's event time: from the post being seen until the listing ends.
      const active = watch.entries.filter(
        (e: WatchEntry) => e.seenAtMs <= paidAtMs && paidAtMs < e.expiresAtMs,
      );
      if (!active.length) return null;
      // Only the first payment after the newest mention: later ones are the same story.
      const newest = Math.max(...active.map((e) => e.seenAtMs));
      if (watch.alertedAtMs !== null && watch.alertedAtMs >= newest) return null;
      const id = base.id;
      return finding(
        base,
        'mention',
        { fromMs: newest, toMs: paidAtMs },
        {
          evidence: [
            { rule: id, feature: 'mentions', value: active.length },
            { rule: id, feature: 'firstSource', value: active[0]!.source },
            { rule: id, feature: 'paidAfterMentionMinutes', value: Math.round((paidAtMs - newest) / 60_000) },
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
