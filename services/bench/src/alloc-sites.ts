// `npx tsx services/bench/src/alloc-sites.ts [--events N] [--wallets N] [--seed N]`: where the chunk
// handler allocates, per event. Runs it over the bench's backlog (in-process-run.ts) under V8's sampling
// heap profiler with the objects the collector already freed kept in the sample, so the figures are
// everything allocated, short-lived garbage included, not what is alive at the end. The sampled bytes are
// an estimate (one sample every 16 KiB on average) but repeat within a few percent, where CPU time on a
// shared box does not. Bytes are not CPU: a splice's small removed array costs less than the copyWithin
// that avoided it (bench README, 27 November, night), so check a change that allocates less in the
// profile too. Prints; writes nothing.
import { Session } from 'node:inspector/promises';
import { summarizeAllocations, type SamplingHeapNode } from './heap-profile-summary.js';
import { inProcessArgs, inProcessRun } from './in-process-run.js';

const { events, wallets, seed } = inProcessArgs({ defaultSeed: 20240601 });
const run = inProcessRun({ events, wallets, seed });

const session = new Session();
session.connect();
let profile;
try {
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  await run.run(run.byPartition);
  ({ profile } = await session.post('HeapProfiler.stopSampling'));
} finally {
  session.disconnect();
  await run.cleanup();
}

const summary = summarizeAllocations(profile.head as SamplingHeapNode, 30);
const perEvent = (bytes: number) => (bytes / events).toFixed(0).padStart(6);
console.log(
  `chunk handler, ${events.toLocaleString('en-US')} events over ${wallets.toLocaleString('en-US')} wallets: ` +
    `${perEvent(summary.totalBytes).trim()} sampled bytes allocated per event`,
);
console.log('\nbytes/event  area');
for (const s of summary.byArea.slice(0, 15)) console.log(`${perEvent(s.bytes)}       ${s.name}`);
console.log('\nbytes/event  function');
for (const s of summary.byFunction) console.log(`${perEvent(s.bytes)}       ${s.name}`);
