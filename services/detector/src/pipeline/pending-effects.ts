// Effects stored in a wallet record until the Kafka transaction that carries them commits: alerts to
// publish, donor seeding to write. Loading a wallet reconciles them: what a committed transaction
// already published is dropped, what this chunk's records produced in an earlier attempt (a crash
// after the write, before the commit) is published again with the same alertId, the rest waits for
// its own partition.
import type { EffectSource, PendingSeed } from '../state/wallet-state.js';
import { markChanged, type ChunkWallet } from './chunk-wallets.js';
import { linkDonorsAndSearch, raisedOnAfterSearch } from './retro-search.js';
import type { ChunkSession } from './transaction-chunk.js';

type Fate = 'published' | 'this-chunk' | 'later';

async function fateOf(session: ChunkSession, source: EffectSource): Promise<Fate> {
  if (source.streamKey === session.ctx.streamKey) {
    if (source.offset < session.firstOffset) return 'published';
    return source.offset <= session.lastOffset ? 'this-chunk' : 'later';
  }
  // Another partition's effect: its owner publishes it when its record comes again, unless that
  // partition's committed offset already covers it.
  const committed = await session.deps.committedOffset(source.topic, source.partition);
  return committed !== null && BigInt(source.offset) < committed ? 'published' : 'later';
}

/**
 * A seed whose chunk never committed. The stored wallets hold everything that chunk applied, also
 * after the flag, so searching them again would judge the overlap on payers the flag did not know
 * about and could raise an alert the uninterrupted chunk never raised. Only what the first attempt
 * may not have stored is searched again:
 * - its write reached the checkpoint: every wallet, overlap, alert and donor link it decided is
 *   stored. Nothing is searched; the wallets its search alerted are loaded, and reconcilePending
 *   publishes their pending alerts again as it does the chunk's own;
 * - a transaction chunk run again after a lost compare-and-set: the donor links and every wallet but
 *   the lost ones were stored. Only the lost wallets are searched (they lost what the search set on
 *   them). A decision chunk keeps no memo between runs and searches again in full, as before;
 * - otherwise (a crash during the write itself, a seed stored before raisedOn was kept, or one whose
 *   search alerted more wallets than RAISED_ON_MAX) nothing says what landed: link and search again.
 */
async function searchAgain(
  session: ChunkSession,
  wallet: ChunkWallet,
  seed: PendingSeed,
  storedThrough: () => Promise<number | null>,
): Promise<void> {
  const checkpoint = await storedThrough();
  if (seed.raisedOn !== null && checkpoint !== null && checkpoint >= seed.source.offset) {
    session.deps.metrics.seedSearchesSkipped.inc();
    await session.wallets.load(seed.raisedOn);
    return;
  }
  const lost = session.memo.lost;
  const raisedOn = await linkDonorsAndSearch(
    session,
    wallet.state,
    seed.flaggedAtMs,
    seed.source,
    lost.size ? (walletId) => lost.has(walletId) : undefined,
  );
  const merged = raisedOnAfterSearch(seed.raisedOn, raisedOn, lost.size === 0);
  if (merged === null ? seed.raisedOn !== null : merged.length !== seed.raisedOn?.length) {
    seed.raisedOn = merged;
    markChanged(wallet);
  }
}

export async function reconcilePending(session: ChunkSession): Promise<void> {
  // The partition's checkpoint, read once and only if a seed of this chunk is pending.
  let checkpoint: Promise<number | null> | undefined;
  const storedThrough = () => (checkpoint ??= session.deps.streams.checkpointOf(session.ctx.streamKey));
  // all() is live: the wallets a seed's search loads or names are reconciled in turn.
  for (const wallet of session.wallets.all()) {
    const { pending } = wallet.state;
    if (!pending.alerts.length && !pending.seeds.length) continue;
    const keptAlerts = [];
    for (const p of pending.alerts) {
      const fate = await fateOf(session, p.source);
      if (fate === 'published') {
        markChanged(wallet);
        continue;
      }
      keptAlerts.push(p);
      // An alert this run decided already (a search's candidate, reached again here) is not counted.
      if (
        fate === 'this-chunk' &&
        session.output.alert(
          { alertId: p.alertId, walletId: wallet.state.walletId, json: p.json },
          p.source.offset,
        )
      ) {
        session.markSettled(wallet.state.walletId, 'alert', p.alertId);
        session.deps.metrics.pendingRepublished.inc();
      }
    }
    pending.alerts = keptAlerts;
    const keptSeeds = [];
    for (const s of pending.seeds) {
      const fate = await fateOf(session, s.source);
      if (fate === 'published') {
        markChanged(wallet);
        continue;
      }
      keptSeeds.push(s);
      if (fate === 'this-chunk') {
        session.markSettled(wallet.state.walletId, 'seed', String(s.source.offset));
        await searchAgain(session, wallet, s, storedThrough);
      }
    }
    pending.seeds = keptSeeds;
  }
}
