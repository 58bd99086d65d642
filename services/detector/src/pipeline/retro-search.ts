// When a wallet is flagged, find the wallets its donors had already given to: the replacement
// relation must not depend on which of the two wallets FlowGuard saw first, on how partitions
// advance, or on a restart. Reads who-gave-to-whom (Redis, plus this chunk's own gifts so far),
// loads the candidates, counts their overlap in full, and runs the replacement rule on them.
import { evaluateRules } from '../rules/evaluate-rules.js';
import type { EffectSource } from '../state/wallet-state.js';
import { setOverlap } from './seeding.js';
import type { ChunkSession } from './transaction-chunk.js';

const REPLACEMENT_KINDS: ReadonlySet<string> = new Set(['replacement-wallet']);

export async function retroSearch(
  session: ChunkSession,
  flaggedWalletId: string,
  flaggedAtMs: number,
  donors: { payer: string; weight: number }[],
  source: EffectSource,
  triggerPrefix: string,
): Promise<void> {
  const rules = session.catalog.rules.filter((r) => REPLACEMENT_KINDS.has(r.kind));
  if (!rules.length || !donors.length) return;
  const minShared = Math.min(...rules.map((r) => Number(r.params.minSharedPayers ?? 1)));
  const weightOf = new Map(donors.map((d) => [d.payer, d.weight]));
  const sinceMs = flaggedAtMs - session.catalog.alerting.donorMemoryMs;

  const giftsByPayer = await session.deps.donors.recentGifts([...weightOf.keys()]);
  for (const g of session.gifts) {
    if (!weightOf.has(g.payer)) continue;
    const list = giftsByPayer.get(g.payer) ?? [];
    if (!list.includes(g.walletId)) list.push(g.walletId);
    giftsByPayer.set(g.payer, list);
  }
  const reach = new Map<string, number>();
  for (const [payer, wallets] of giftsByPayer) {
    for (const walletId of wallets) {
      if (walletId === flaggedWalletId) continue;
      reach.set(walletId, (reach.get(walletId) ?? 0) + weightOf.get(payer)!);
    }
  }
  // The exact overlap below can only be smaller than this reach: skip who cannot get there.
  const candidates = [...reach].filter(([, weight]) => weight >= minShared).map(([id]) => id);
  if (!candidates.length) return;
  await session.wallets.load(candidates);
  session.deps.metrics.retroCandidates.inc(candidates.length);

  for (const walletId of candidates) {
    const wallet = session.wallets.get(walletId);
    const state = wallet.state;
    // The exact overlap, from the candidate's own payer set: donors who GAVE to it (a donor who only
    // bought there is a customer: purchases never count), not longer ago than the donor memory.
    let shared = 0;
    const sample: string[] = [];
    for (const [payer, cp] of state.payers) {
      const weight = weightOf.get(payer);
      if (weight === undefined || cp.lastMs < sinceMs || !giftsByPayer.get(payer)?.includes(walletId))
        continue;
      shared += weight;
      if (sample.length < 20) sample.push(payer);
    }
    if (shared < minShared) continue;
    if (!setOverlap(state, flaggedWalletId, { shared, sample, flaggedAtMs })) continue;
    session.touch(wallet);
    const findings = evaluateRules(
      session.catalog,
      session.ruleInput(wallet, null, flaggedAtMs),
      REPLACEMENT_KINDS,
    );
    await session.decide(wallet, findings, {
      id: `${triggerPrefix}:${flaggedWalletId}:${source.streamKey}:${source.offset}`,
      atMs: Math.max(flaggedAtMs, Number.isNaN(state.lastEventMs) ? flaggedAtMs : state.lastEventMs),
      source,
      sampleEventIds: state.samples.map((s) => s.eventId),
    });
  }
}
