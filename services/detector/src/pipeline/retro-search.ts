// When a wallet is flagged, its payers become donors and the wallets they had already given to are
// found: the replacement relation must not depend on which of the two wallets FlowGuard saw first, on
// how partitions advance, or on a restart. Reads who-gave-to-whom (Redis, plus this chunk's own
// gifts so far), weighs each donor by how widely it gives, loads the candidates, counts their overlap
// in full, and runs the replacement rule on them.
import { evaluateRules } from '../rules/evaluate-rules.js';
import { sampleEventIds, type EffectSource, type WalletState } from '../state/wallet-state.js';
import { donorsOf, setOverlap, spreadFactor } from './seeding.js';
import type { ChunkSession } from './transaction-chunk.js';

const REPLACEMENT_KINDS: ReadonlySet<string> = new Set(['replacement-wallet']);
/**
 * The trigger of a search's decisions, part of every alertId it raises: a chunk run again and the
 * pending seed it republishes find the alerts of the first run by that id.
 */
const RETRO_TRIGGER = 'retro';

/**
 * The most wallets a pending seed names as alerted by its search (PendingSeed.raisedOn). The list lives
 * in the flagged wallet's record until the chunk commits; a seed whose donors reach thousands of
 * wallets would otherwise carry all their ids there, past the record's 64 KB bound. Beyond it the seed
 * keeps no list (null), and a chunk run again after a crash links and searches again in full, as seeds
 * stored before the list existed do (pending-effects.ts says what that can judge differently).
 */
export const RAISED_ON_MAX = 256;

/** What a pending seed keeps of the wallets its search alerted: all of them, or null past RAISED_ON_MAX. */
export function keptRaisedOn(walletIds: readonly string[]): string[] | null {
  return walletIds.length > RAISED_ON_MAX ? null : [...walletIds];
}

/**
 * A pending seed's list after its search ran again: the stored one and what this search found. A list
 * not known (null) stays unknown unless this search judged every wallet: a search of only the wallets
 * whose write was lost finds only those, and as a whole list it would say the others hold nothing to
 * publish again.
 */
export function raisedOnAfterSearch(
  stored: readonly string[] | null,
  found: readonly string[],
  searchedEveryWallet: boolean,
): string[] | null {
  if (stored === null && !searchedEveryWallet) return null;
  return keptRaisedOn([...new Set([...(stored ?? []), ...found])]);
}

/**
 * Links the flagged wallet's donors: in Redis at the chunk's write with their stored weight, for the
 * rest of this chunk with the weight they count for now (a payer who gives to many wallets, such as a
 * cash terminal, counts for less), then searches the wallets they already gave to. Returns the wallets
 * that hold an alert this seed's search raised (in this run or, for a chunk run again, an earlier one).
 * `onlyJudged`: a chunk run again whose earlier run stored the donor links (and the chunk loaded them):
 * they are neither written nor linked again, and only the wallets it names are judged, those that may
 * lack what the earlier search set on them (pending-effects.ts).
 */
export async function linkDonorsAndSearch(
  session: ChunkSession,
  state: WalletState,
  flaggedAtMs: number,
  source: EffectSource,
  onlyJudged?: (walletId: string) => boolean,
): Promise<string[]> {
  const donors = donorsOf(state, session.seeding);
  if (!onlyJudged) session.seeds.push({ walletId: state.walletId, flaggedAtMs, donors, unlink: false });
  if (!donors.length) return [];
  const giftsByPayer = await giftsOf(
    session,
    donors.map((d) => d.payer),
  );
  const counted = donors.map((d) => ({
    payer: d.payer,
    weight: d.weight * spreadFactor(giftsByPayer.get(d.payer)?.length ?? 1, session.seeding),
  }));
  if (!onlyJudged) {
    for (const d of counted)
      session.overlay.link(d.payer, { walletId: state.walletId, flaggedAtMs, weight: d.weight });
  }
  return retroSearch(session, state.walletId, flaggedAtMs, counted, giftsByPayer, {
    source,
    judged: onlyJudged ?? (() => true),
  });
}

/** The wallets each payer recently gave to: Redis, plus this chunk's gifts not written yet. */
async function giftsOf(session: ChunkSession, payers: string[]): Promise<Map<string, string[]>> {
  const giftsByPayer = await session.deps.donors.recentGifts(payers);
  for (const g of session.gifts) {
    const list = giftsByPayer.get(g.payer);
    if (list && !list.includes(g.walletId)) list.push(g.walletId);
  }
  return giftsByPayer;
}

async function retroSearch(
  session: ChunkSession,
  flaggedWalletId: string,
  flaggedAtMs: number,
  donors: { payer: string; weight: number }[],
  giftsByPayer: Map<string, string[]>,
  { source, judged }: { source: EffectSource; judged: (walletId: string) => boolean },
): Promise<string[]> {
  const rules = session.catalog.rules.filter((r) => REPLACEMENT_KINDS.has(r.kind));
  if (!rules.length || !donors.length) return [];
  const minShared = Math.min(...rules.map((r) => Number(r.params.minSharedPayers ?? 1)));
  const weightOf = new Map(donors.map((d) => [d.payer, d.weight]));
  // A gift counts from a little before the flag (a replacement appears around or after the wallet it
  // replaces is stopped), not from weeks before it, when the campaign did not exist yet.
  const sinceMs = flaggedAtMs - Math.min(session.seeding.overlapLeadMs, session.seeding.donorMemoryMs);

  const reach = new Map<string, number>();
  for (const [payer, wallets] of giftsByPayer) {
    for (const walletId of wallets) {
      if (walletId === flaggedWalletId || !judged(walletId)) continue;
      reach.set(walletId, (reach.get(walletId) ?? 0) + weightOf.get(payer)!);
    }
  }
  // The exact overlap below can only be smaller than this reach: skip who cannot get there.
  const candidates = [...reach].filter(([, weight]) => weight >= minShared).map(([id]) => id);
  if (!candidates.length) return [];
  await session.wallets.load(candidates);
  session.deps.metrics.retroCandidates.inc(candidates.length);

  for (const walletId of candidates) {
    const wallet = session.wallets.get(walletId);
    const state = wallet.state;
    // The exact overlap, from the candidate's own payer set: donors who GAVE to it (a donor who only
    // bought there is a customer: purchases never count), not long before the flag.
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
      id: `${RETRO_TRIGGER}:${flaggedWalletId}:${source.streamKey}:${source.offset}`,
      atMs: Math.max(flaggedAtMs, Number.isNaN(state.lastEventMs) ? flaggedAtMs : state.lastEventMs),
      source,
      sampleEventIds: sampleEventIds(state),
    });
  }
  // Every candidate holding an alert of this seed, decided now or stored by an earlier run of the
  // chunk (a candidate whose overlap did not grow is not judged again, but its alert must still be
  // published with the seed).
  return candidates.filter((id) =>
    session.wallets
      .get(id)
      .state.pending.alerts.some(
        (p) => p.source.streamKey === source.streamKey && p.source.offset === source.offset,
      ),
  );
}
