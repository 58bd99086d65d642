// `npx tsx services/bench/src/cache-heap.ts [--events N] [--wallets N] [--seed N]`: how much heap the
// wallet cache's states really take, against what estimatedHeapBytes counts for them (the budget
// WALLET_CACHE_MB is spent by the estimate). Runs the chunk handler over the bench's backlog on the
// real Redis, without Kafka, in one process; then measures the drop in heapUsed, after full
// collections, when the cache is cleared. Prints the figures; writes nothing.
import { bucketCount } from '../../detector/src/state/bucket-series.js';
import { estimatedHeapBytes } from '../../detector/src/state/wallet-state-cache.js';
import type { WalletState } from '../../detector/src/state/wallet-state.js';
import { exposedGc, inProcessArgs, inProcessRun } from './in-process-run.js';

// The measurement needs full collections on demand.
const gc = exposedGc();
const { events, wallets, seed } = inProcessArgs({ defaultSeed: 42 });

const run = inProcessRun({ events, wallets, seed });
const { cache, config } = run;
try {
  await run.run(run.byPartition);
} catch (error) {
  await run.cleanup();
  throw error;
}
run.byPartition.length = 0;

// What the kept states hold, on average, and what the estimate counts for them.
const kept: WalletState[] = [];
for (const id of Array.from({ length: wallets }, (_, i) => `w-${i}`)) {
  const entry = cache.take(id);
  if (entry) kept.push(entry.state);
}
for (const state of kept) cache.put(state, Date.now());
const mean = (f: (s: WalletState) => number) => kept.reduce((sum, s) => sum + f(s), 0) / kept.length;
const estimated = mean(estimatedHeapBytes);
const composition = {
  buckets: mean((s) => bucketCount(s.fine) + bucketCount(s.hourly)),
  counterparties: mean((s) => s.payers.size + s.payees.size),
  recentIds: mean((s) => s.dedup.recent.length / 2),
};
kept.length = 0;

gc();
gc();
const before = process.memoryUsage().heapUsed;
const states = cache.size;
cache.clear();
gc();
gc();
const real = (before - process.memoryUsage().heapUsed) / states;

console.log(
  `${events.toLocaleString('en-US')} events over ${wallets.toLocaleString('en-US')} wallets: the cache kept ` +
    `${states.toLocaleString('en-US')} states (budget ${config.pipeline.walletCacheBytes / 2 ** 20} MiB)\n` +
    `a state holds ${composition.buckets.toFixed(1)} buckets, ${composition.counterparties.toFixed(1)} ` +
    `counterparties, ${composition.recentIds.toFixed(1)} recent ids (means)\n` +
    `heap per state: ${real.toFixed(0)} B measured, ${estimated.toFixed(0)} B estimated ` +
    `(estimate ÷ measured ${(estimated / real).toFixed(2)})`,
);

await run.cleanup();
