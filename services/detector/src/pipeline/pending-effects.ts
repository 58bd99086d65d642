// Effects stored in a wallet record until the Kafka transaction that carries them commits: alerts to
// publish, donor seeding to write. Loading a wallet reconciles them: what a committed transaction
// already published is dropped, what this chunk's records produced in an earlier attempt (a crash
// after the write, before the commit) is published again with the same alertId, the rest waits for
// its own partition.
import type { EffectSource } from '../state/wallet-state.js';
import { markChanged } from './chunk-wallets.js';
import { linkDonorsAndSearch } from './retro-search.js';
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

export async function reconcilePending(session: ChunkSession): Promise<void> {
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
      if (fate === 'this-chunk') {
        session.output.alert(
          { alertId: p.alertId, walletId: wallet.state.walletId, json: p.json },
          p.source.offset,
        );
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
        // The write or commit of the chunk that flagged this wallet never completed: link its donors
        // again (idempotent) and look again for the wallets they already paid.
        session.markSettled(wallet.state.walletId, 'seed', String(s.source.offset));
        await linkDonorsAndSearch(session, wallet.state, s.flaggedAtMs, s.source, 'retro');
      }
    }
    pending.seeds = keptSeeds;
  }
}
