// `npx tsx services/bench/src/warm-passes.ts [--passes N] [--events N] [--wallets N]`: how much of the
// chunk handler's CPU per event is the process warming up. Runs N fresh backlogs one after another in
// one process, each on its own Redis keys and a cold wallet cache (in-process-run.ts), and prints the
// process's CPU per event for each half of each pass: the first pass pays for compiling the hot code
// (V8 optimises it on a background thread, counted here as the detector counts it), the later ones
// do not. Prints; writes nothing.
import { exposedGc, inProcessArgs, inProcessRun } from './in-process-run.js';

// A full collection between passes needs the collector exposed.
const gc = exposedGc();
const { events, wallets, seed, passes } = inProcessArgs({ defaultSeed: 20240601, passes: true });

const cpuMicros = async (work: () => Promise<void>): Promise<number> => {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return used.user + used.system;
};

console.log(
  `chunk handler, ${events.toLocaleString('en-US')} events over ${wallets.toLocaleString('en-US')} wallets a pass; CPU µs per event of the whole process`,
);
console.log('| Pass | first half | second half |\n| --: | --: | --: |');
for (let pass = 1; pass <= passes; pass++) {
  // Another seed a pass: the same wallets' names, other events.
  const run = inProcessRun({ events, wallets, seed: seed + pass });
  const first = run.byPartition.map((records) => records.slice(0, records.length >> 1));
  const second = run.byPartition.map((records) => records.slice(records.length >> 1));
  try {
    const firstMicros = await cpuMicros(() => run.run(first));
    const secondMicros = await cpuMicros(() => run.run(second));
    const count = (records: unknown[][]) => records.reduce((n, r) => n + r.length, 0);
    console.log(
      `| ${pass} | ${(firstMicros / count(first)).toFixed(1)} | ${(secondMicros / count(second)).toFixed(1)} |`,
    );
  } finally {
    await run.cleanup();
  }
  // The pass's cache and states are garbage now: collected here, not on the next pass's account.
  gc();
}
