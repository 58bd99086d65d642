// The chunk's one write: who-gave-to-whom facts, every changed wallet record by compare-and-set, and
// the donor links of wallets flagged in the chunk — one pipeline (one per master on a cluster) — then
// the partition's checkpoint. A compare-and-set conflict means another partition wrote one of our
// wallets meanwhile: the caller runs the chunk again from the load.
import type { WalletState } from '../state/wallet-state.js';
import { ChunkWallets } from './chunk-wallets.js';
import type { PipelineDeps } from './pipeline-deps.js';
import type { ChunkWork } from './transaction-chunk.js';

const GIFTS_KEPT_PER_PAYER = 32;

export function recordTtlMs(state: WalletState, deps: PipelineDeps, nowMs: number): number {
  const catalog = deps.catalog();
  let ttl = deps.config.features.stateTtlMs;
  for (const f of state.analyst.flags) {
    // Confirmed and blocked hold until revoked: keep them at least as long as their donors matter.
    const until = f.expiresAtMs ?? nowMs + catalog.alerting.donorMemoryMs;
    ttl = Math.max(ttl, until - nowMs);
  }
  for (const e of state.watch.entries) ttl = Math.max(ttl, e.expiresAtMs - nowMs);
  return Math.max(1, Math.round(ttl));
}

/** Each state's time-to-live, computed once: the write and the cache's bookkeeping both ask for it. */
function ttlsAt(states: WalletState[], deps: PipelineDeps, nowMs: number): (state: WalletState) => number {
  const ttls = new Map(states.map((s) => [s, recordTtlMs(s, deps, nowMs)]));
  return (state) => ttls.get(state)!;
}

function countWrites(deps: PipelineDeps, written: number, appended: number): void {
  if (appended) deps.metrics.walletWrites.inc({ kind: 'journal' }, appended);
  if (written > appended) deps.metrics.walletWrites.inc({ kind: 'whole' }, written - appended);
}

/** Returns the wallets whose compare-and-set lost (empty when everything was written). */
export async function writeChunk(deps: PipelineDeps, work: ChunkWork, streamKey: string): Promise<string[]> {
  const nowMs = deps.now();
  const catalog = deps.catalog();
  const donorTtl = catalog.alerting.donorMemoryMs;
  const facts = deps.donors.giftCommands(work.gifts, GIFTS_KEPT_PER_PAYER, donorTtl);
  for (const seed of work.seeds) {
    facts.push(
      ...(seed.unlink
        ? deps.donors.unlinkCommands(
            seed.walletId,
            seed.donors.map((d) => d.payer),
          )
        : deps.donors.linkCommands(seed.walletId, seed.flaggedAtMs, seed.donors, donorTtl)),
    );
  }
  const dirty = work.wallets.dirty();
  const ttlMsOf = ttlsAt(dirty, deps, nowMs);
  const [{ written, conflicts, appended }] = await Promise.all([
    deps.store.write(
      dirty,
      ttlMsOf,
      deps.config.pipeline.walletJournal ? (state) => work.wallets.journalOf(state.walletId) : undefined,
      nowMs,
    ),
    deps.donors.run(facts),
  ]);
  // Stored, whatever happened to the others: a run after a conflict finds them as written. Their
  // time-to-live ran from no earlier than nowMs.
  work.wallets.written(written, nowMs, ttlMsOf);
  countWrites(deps, written.length, appended);
  if (conflicts.length) return conflicts;
  await deps.streams.checkpoint(streamKey, work.lastOffset);
  return [];
}

/**
 * After the commit: clear from the wallet records the pending items this chunk published. If it never
 * happens (a crash), the next load finds them below the committed offset and drops them. The wallets
 * are leased and loaded afresh (a later chunk may have written them since this one did).
 */
export async function settleChunk(deps: PipelineDeps, work: Pick<ChunkWork, 'settle'>): Promise<void> {
  if (!work.settle.size) return;
  const nowMs = deps.now();
  const ids = [...work.settle.keys()];
  const clear = (state: WalletState): boolean => {
    const entry = work.settle.get(state.walletId)!;
    const before = state.pending.alerts.length + state.pending.seeds.length;
    state.pending.alerts = state.pending.alerts.filter((p) => !entry.alertIds.has(p.alertId));
    state.pending.seeds = state.pending.seeds.filter((s) => !entry.seedOffsets.has(String(s.source.offset)));
    return state.pending.alerts.length + state.pending.seeds.length !== before;
  };
  const wallets = new ChunkWallets(deps);
  try {
    await wallets.load(ids);
    let pending = ids;
    for (let attempt = 0; attempt < 2 && pending.length; attempt++) {
      const states = pending.map((id) => wallets.get(id).state).filter(clear);
      const ttlMsOf = ttlsAt(states, deps, nowMs);
      const { written, conflicts, appended } = await deps.store.write(states, ttlMsOf, undefined, nowMs);
      wallets.written(written, nowMs, ttlMsOf);
      countWrites(deps, written.length, appended);
      if (!conflicts.length) {
        wallets.keep();
        return;
      }
      await wallets.reload(conflicts);
      pending = conflicts;
    }
  } finally {
    wallets.release();
  }
}
