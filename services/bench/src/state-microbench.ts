// Micro-benchmark of the wallet state layer: decode, applySide, window reads and encode for a typical
// and a busy wallet, CPU only (no Redis). Variants alternate round by round; each figure is the median
// over rounds of the mean µs per operation in a round, with the spread (min–max over rounds).
// Usage: npx tsx services/bench/src/state-microbench.ts [rounds=15]
import { loadavg } from 'node:os';
import { loadConfig } from '../../detector/src/config/index.js';
import { applySide, checkSide } from '../../detector/src/state/apply-side.js';
import { bucketCount } from '../../detector/src/state/bucket-series.js';
import { decodeWalletState, encodeWalletState } from '../../detector/src/state/wallet-state-codec.js';
import type { WalletState } from '../../detector/src/state/wallet-state.js';
import { WalletView } from '../../detector/src/state/window-view.js';
import { revision } from './bench-report.js';
import { applyAll, busyWallet, nextEvents, typicalWallet } from './state-fixtures.js';

const rounds = Number(process.argv[2] ?? 15);
const features = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9', REDIS_URL: 'redis://127.0.0.1:9' }).features;

/** One measured operation: `timed` runs `count` of them on what `setup` (untimed) prepares. */
interface Op<C = unknown> {
  name: string;
  count: number;
  setup: () => C;
  timed: (context: C) => void;
}

function op<C>(name: string, count: number, setup: () => C, timed: (context: C) => void): Op {
  return { name, count, setup, timed } as Op;
}

function opsFor(label: string, state: WalletState): Op[] {
  const bytes = encodeWalletState(state);
  const loaded = () => decodeWalletState(state.walletId, bytes, features);
  const chunk = 500;
  // The same events from the same loaded state, with and without the window reads: the difference is
  // what reading every window after every event costs (the first read after a load is a full pass).
  const events = nextEvents(state, chunk, 200);
  const one = nextEvents(state, 1, 60_000)[0]!;
  const repeat = 200;
  return [
    op(
      `${label} decode`,
      repeat,
      () => null,
      () => {
        for (let i = 0; i < repeat; i++) loaded();
      },
    ),
    op(
      `${label} encode`,
      repeat,
      () => null,
      () => {
        for (let i = 0; i < repeat; i++) encodeWalletState(state);
      },
    ),
    op(`${label} applySide (${chunk} events after a load)`, chunk, loaded, (s) =>
      applyAll(s, events, features),
    ),
    op(
      `${label} applySide + every window after each`,
      chunk,
      () => {
        const s = loaded();
        return { s, view: new WalletView(s, features) };
      },
      ({ s, view }) => {
        for (const e of events) {
          if (checkSide(s, e) === 'new') applySide(s, e, features);
          view.windows();
        }
      },
    ),
    op(
      `${label} cycle: decode, apply 1, every window, encode`,
      repeat,
      () => null,
      () => {
        for (let i = 0; i < repeat; i++) {
          const s = loaded();
          applyAll(s, [one], features);
          new WalletView(s, features).windows();
          encodeWalletState(s);
        }
      },
    ),
  ];
}

/**
 * Mean µs per operation over a few timed calls: the process's CPU time (robust to other processes on
 * a shared box) and the wall time.
 */
function measure(o: Op, calls = 3): { cpu: number; wall: number } {
  let cpu = 0;
  let wall = 0;
  for (let i = 0; i < calls; i++) {
    const context = o.setup();
    const start = process.hrtime.bigint();
    const startCpu = process.cpuUsage();
    o.timed(context);
    const used = process.cpuUsage(startCpu);
    wall += Number(process.hrtime.bigint() - start) / 1_000;
    cpu += used.user + used.system;
  }
  return { cpu: cpu / (calls * o.count), wall: wall / (calls * o.count) };
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const f = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  return `${f(median).padStart(7)} (${f(sorted[0]!)}–${f(sorted[sorted.length - 1]!)})`;
}

const typical = typicalWallet('w-typical', features);
const busy = busyWallet('w-busy', features);
console.log(
  `record bytes: typical ${encodeWalletState(typical).length}, busy ${encodeWalletState(busy).length} ` +
    `(payers ${busy.payers.size}, payees ${busy.payees.size}, buckets ${bucketCount(busy.fine)}+${bucketCount(busy.hourly)})`,
);
const ops = [...opsFor('typical', typical), ...opsFor('busy', busy)];
const cpu = new Map<string, number[]>(ops.map((o) => [o.name, []]));
const wall = new Map<string, number[]>(ops.map((o) => [o.name, []]));
for (const o of ops) measure(o); // warm-up
for (let r = 0; r < rounds; r++) {
  // Alternate the order each round so neither variant always runs on a warmer or colder machine.
  const order = r % 2 ? [...ops].reverse() : ops;
  for (const o of order) {
    const m = measure(o);
    cpu.get(o.name)!.push(m.cpu);
    wall.get(o.name)!.push(m.wall);
  }
}
console.log(
  `\nstate microbench, ${rounds} rounds, revision ${revision()}, node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(`${'median µs per operation (min–max over rounds)'.padEnd(56)} ${'CPU'.padEnd(28)} wall`);
for (const o of ops)
  console.log(`${o.name.padEnd(56)} ${summary(cpu.get(o.name)!).padEnd(28)} ${summary(wall.get(o.name)!)}`);
