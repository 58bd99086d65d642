// `npx tsx services/bench/src/chunk-gc.ts --before <rev> [--repeats N] [--events N] [--wallets N]`:
// the garbage the chunk handler leaves per event, NEW (this tree) against BEFORE, alternating runs.
// Each run is a process of its own (chunk-gc-run.ts) under V8's --trace-gc-nvp, on the real Redis
// and without Kafka. On a shared box CPU time drifts by a third within minutes; the bytes that survive
// a scavenge, and those promoted to the old generation, move by a few percent only, and they are what
// the collector's time follows. So a change to the hot path shows here even when the end-to-end bench
// cannot tell it from noise. Prints the figures; writes nothing.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/dev/local-stack-env.js';
import { DETECTOR_NODE_FLAGS } from '../../../scripts/dev/detector-child.js';
import { parseBenchOptions } from './bench-options.js';
import { gcFiguresOf, type GcFigures } from './gc-trace.js';
import { spread } from './percentile.js';
import { checkoutRevision } from './revision-checkout.js';

function runOnce(
  root: string,
  options: { events: number; wallets: number; partitions: number; seed: number; redisUrl: string },
): Promise<GcFigures> {
  // The runner of this tree drives the handler of `root` (both revisions get the same backlog).
  const child = spawn(
    process.execPath,
    [
      ...DETECTOR_NODE_FLAGS,
      '--trace-gc-nvp',
      '--expose-gc',
      '--import',
      'tsx',
      join(REPO_ROOT, 'services', 'bench', 'src', 'chunk-gc-run.ts'),
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        CHUNK_GC_ROOT: root,
        CHUNK_GC_EVENTS: String(options.events),
        CHUNK_GC_WALLETS: String(options.wallets),
        CHUNK_GC_PARTITIONS: String(options.partitions),
        CHUNK_GC_SEED: String(options.seed),
        REDIS_URL: options.redisUrl,
      },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`chunk-gc-run exited ${code}:\n${output.slice(-2_000)}`));
      else {
        try {
          resolve(gcFiguresOf(output));
        } catch (error) {
          reject(error);
        }
      }
    });
  });
}

const COLUMNS: [keyof GcFigures, string, number][] = [
  ['cpuMicros', 'CPU µs/event', 1],
  ['scavengePauseMicros', 'scavenge pause µs/event', 1],
  ['survivedBytes', 'bytes surviving a scavenge /event', 0],
  ['promotedBytes', 'bytes promoted /event', 0],
  ['fullCollectionPauseMicros', 'mark-compact pause µs/event', 1],
];

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseBenchOptions(['--quick', ...argv], process.env, join(REPO_ROOT, 'docs', 'bench'));
  if (!options.before) throw new Error('--before <revision> is required');
  const before = checkoutRevision(options.before, options.beforeRoot);
  const runs = { before: [] as GcFigures[], new: [] as GcFigures[] };
  try {
    console.log(
      `chunk handler, ${options.events.toLocaleString('en-US')} events over ${options.wallets.toLocaleString('en-US')} wallets, ` +
        `${options.partitions} partitions; NEW this tree, BEFORE ${before.revision}; ${options.repeats} pairs`,
    );
    for (let i = 1; i <= options.repeats; i++) {
      // Alternating which goes first, so neither always runs on the box the other just warmed.
      const pair = [
        ['before', before.root],
        ['new', REPO_ROOT],
      ] as const;
      for (const [label, root] of i % 2 === 1 ? pair : [...pair].reverse()) {
        const figures = await runOnce(root, options);
        runs[label].push(figures);
        console.log(
          `${label}${i}: ${figures.cpuMicros.toFixed(1)} µs CPU, scavenges ${figures.scavenges} ` +
            `(${figures.scavengePauseMicros.toFixed(1)} µs), survived ${figures.survivedBytes.toFixed(0)} B, ` +
            `promoted ${figures.promotedBytes.toFixed(0)} B per event`,
        );
      }
    }
  } finally {
    before.remove();
  }
  const cell = (values: number[], digits: number) => {
    const s = spread(values);
    return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
  };
  console.log(`\n| | ${COLUMNS.map(([, name]) => name).join(' | ')} |`);
  console.log(`| --- | ${COLUMNS.map(() => '--:').join(' | ')} |`);
  for (const label of ['before', 'new'] as const) {
    const row = COLUMNS.map(([key, , digits]) =>
      cell(
        runs[label].map((r) => r[key]),
        digits,
      ),
    );
    console.log(`| ${label.toUpperCase()} | ${row.join(' | ')} |`);
  }
  // A figure BEFORE measured as 0 (no mark-compact in a run) has no ratio.
  const ratios = COLUMNS.map(([key, , digits]) => {
    const pairs = runs.new.map((r, i) => r[key] / runs.before[i]![key]).filter(Number.isFinite);
    return pairs.length ? cell(pairs, Math.max(2, digits)) : '—';
  });
  console.log(`| NEW ÷ BEFORE, pair by pair | ${ratios.join(' | ')} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
