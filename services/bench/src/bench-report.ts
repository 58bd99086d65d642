// The bench's result: one JSON document (docs/bench/latest.json) and the same as Markdown tables with
// the command, the revisions, the machine and the load (docs/bench/latest.md).
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { REPO_ROOT } from '../../../scripts/dev/local-stack-env.js';
import { spread } from './percentile.js';

import type { ConsumerKind } from './bench-options.js';
import type { CommitLatency } from './commit-latency.js';
import type { DetectorRun } from './detector-throughput.js';

export const CONSUMER_NAMES: Record<ConsumerKind, string> = {
  plain: '(a) kafkajs read + JSON.parse',
  decode: '(b) kafkajs + FlowGuard decodeRecord',
  before: '(c) BEFORE: detector at the --before revision (by default the last before pipeline v2)',
  new: '(d) NEW: detector at this revision',
  new2: '(e) NEW, two instances (one per core) in one group',
};

export interface RunRecord {
  consumer: ConsumerKind;
  repeat: number;
  /** Events the figures count: a detector's, those after every partition's first commit (null for (a), (b)). */
  measuredEvents: number | null;
  eventsPerSec: number;
  /** CPU per event of the consumer: the detector's process group, or the bench process for (a), (b). */
  consumerMicrosPerEvent: number;
  /** redis-server CPU per event (null for the consumers that do not use Redis). */
  redisMicrosPerEvent: number | null;
  /** The Kafka broker's CPU per event (null for (a), (b), or a broker not on this machine). */
  kafkaMicrosPerEvent: number | null;
  load1AtStart: number;
  otherCores: number;
  /** Records the detector dead-lettered and alerts it published (null for (a), (b)). */
  deadLettered: number | null;
  alerts: number | null;
  /** From the detector's /metrics: events per committed Kafka transaction (= per chunk), CAS conflicts, chunk retries. */
  eventsPerTransaction: number | null;
  stateConflicts: number | null;
  chunkRetries: number | null;
  /** Share of wallet states found in the detector's cache (null: not counted). */
  cacheHitShare: number | null;
  /** Why the run does not count (null: it counts). */
  flagged: string | null;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface ConsumerSummary {
  runs: number;
  /** Runs the medians are over: the unflagged ones, or all when every run was flagged. */
  counted: number;
  eventsPerSec: Spread;
  consumerMicrosPerEvent: Spread;
  redisMicrosPerEvent: Spread | null;
  kafkaMicrosPerEvent: Spread | null;
}

export interface WalletBytesRecord {
  typical: number;
  busiest: number;
  busiestWalletId: string;
  sampled: number;
  /** Growth of Redis used_memory over the run, per wallet the backlog touched: every key, not only the wallets'. */
  usedMemoryPerWallet: number;
}

export interface LatencyRecord extends CommitLatency {
  detector: 'before' | 'new';
  load1AtStart: number;
}

export interface ScalingRecord extends DetectorRun {
  partitions: number;
  instances: number;
  redis: 'standalone' | 'cluster';
}

export interface BenchResult {
  mode: 'quick' | 'full';
  command: string;
  /** The commit measured as NEW, "+dirty" when services/detector had uncommitted changes. */
  revision: string;
  beforeRevision: string | null;
  endpoints: { kafkaBrokers: string[]; redisUrl: string; redisClusterNodes: string[] | null };
  events: number;
  wallets: number;
  partitions: number;
  repeats: number;
  backlogProduceEventsPerSec: number | null;
  runs: RunRecord[];
  summary: Partial<Record<ConsumerKind, ConsumerSummary>>;
  walletBytes: Partial<Record<'before' | 'new', WalletBytesRecord>>;
  latency: LatencyRecord[];
  scaling: ScalingRecord[];
  quiet: { load1AtStart: number; busyProcessesAtStart: { pid: number; command: string; cores: number }[] };
  machine: {
    cpuModel: string;
    cores: number;
    memGb: number;
    node: string;
    kafkaVersion: string;
    date: string;
  };
  targets: typeof TARGETS;
}

export const TARGETS = {
  eventsPerSec: 20_000,
  redisMicrosPerEvent: 20,
  detectorMicrosPerEvent: 30,
  typicalWalletBytes: 2_048,
  busiestWalletBytes: 65_536,
  p99MsAt2000: 250,
};

export function revision(root = REPO_ROOT): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--', 'services/detector', 'schemas') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? '+dirty' : ''}`;
  } catch {
    return 'unknown';
  }
}

export function machine(): BenchResult['machine'] {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kafkaVersion: '4.4.0',
    date: new Date().toISOString(),
  };
}

/**
 * NEW against BEFORE pair by pair: repeat i of each ran back to back, so their ratio cancels the
 * machine's drift over the bench, which the medians of each do not (runs on a shared box spread by
 * ±20%). Pairs with a flagged run are left out; null when no pair is left.
 */
export function pairedRatios(runs: RunRecord[]): PairedRatios | null {
  const clean = (kind: ConsumerKind) =>
    new Map(runs.filter((r) => r.consumer === kind && r.flagged === null).map((r) => [r.repeat, r]));
  const before = clean('before');
  const pairs = [...clean('new')]
    .filter(([repeat]) => before.has(repeat))
    .map(([repeat, n]) => ({ n, b: before.get(repeat)! }));
  if (!pairs.length) return null;
  const redis = pairs
    .filter(({ n, b }) => n.redisMicrosPerEvent !== null && b.redisMicrosPerEvent !== null)
    .map(({ n, b }) => n.redisMicrosPerEvent! / b.redisMicrosPerEvent!);
  return {
    pairs: pairs.length,
    eventsPerSec: spread(pairs.map(({ n, b }) => n.eventsPerSec / b.eventsPerSec)),
    consumerMicrosPerEvent: spread(
      pairs.map(({ n, b }) => n.consumerMicrosPerEvent / b.consumerMicrosPerEvent),
    ),
    redisMicrosPerEvent: redis.length ? spread(redis) : null,
  };
}

export interface PairedRatios {
  pairs: number;
  /** NEW ÷ BEFORE, over the pairs. */
  eventsPerSec: Spread;
  consumerMicrosPerEvent: Spread;
  redisMicrosPerEvent: Spread | null;
}

export function renderPaired(r: BenchResult): string {
  const p = pairedRatios(r.runs);
  if (!p) return 'NEW against BEFORE pair by pair: no pair of unflagged runs.';
  const ratio = (s: Spread | null) =>
    s ? `×${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})` : '—';
  return (
    `NEW against BEFORE, pair by pair (repeat i of each, run back to back; ${p.pairs} unflagged pairs): ` +
    `events/s ${ratio(p.eventsPerSec)}, detector CPU per event ${ratio(p.consumerMicrosPerEvent)}, ` +
    `Redis CPU per event ${ratio(p.redisMicrosPerEvent)} (median, min–max of NEW ÷ BEFORE).`
  );
}

export function summarize(runs: RunRecord[]): BenchResult['summary'] {
  const summary: BenchResult['summary'] = {};
  for (const kind of Object.keys(CONSUMER_NAMES) as ConsumerKind[]) {
    const all = runs.filter((r) => r.consumer === kind);
    if (!all.length) continue;
    const clean = all.filter((r) => r.flagged === null);
    const counted = clean.length ? clean : all;
    const known = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
    const redis = known(counted.map((r) => r.redisMicrosPerEvent));
    const kafka = known(counted.map((r) => r.kafkaMicrosPerEvent));
    summary[kind] = {
      runs: all.length,
      counted: clean.length,
      eventsPerSec: spread(counted.map((r) => r.eventsPerSec)),
      consumerMicrosPerEvent: spread(counted.map((r) => r.consumerMicrosPerEvent)),
      redisMicrosPerEvent: redis.length ? spread(redis) : null,
      kafkaMicrosPerEvent: kafka.length ? spread(kafka) : null,
    };
  }
  return summary;
}

const fmt = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value)
    ? '—'
    : value === Infinity
      ? '∞'
      : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const range = (s: Spread | null | undefined, digits = 0) =>
  s ? `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})` : '—';

const mark = (ok: boolean | null) => (ok === null ? '—' : ok ? '✓ met' : '✗ not met');

/** A share as a percentage with one decimal ("78.9%"). */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function table(header: string[], rows: string[][], align: string[]): string {
  for (const row of [align, ...rows]) {
    if (row.length !== header.length) {
      throw new Error(`a row of ${row.length} cells under the ${header.length} columns ${header.join(', ')}`);
    }
  }
  return [header, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function targetRows(r: BenchResult): string[][] {
  const n = r.summary.new;
  const bytes = r.walletBytes.new;
  const at2k = r.latency.find((l) => l.detector === 'new' && l.rate === 2_000);
  const t = r.targets;
  return [
    [
      `NEW events/s (median)`,
      fmt(n?.eventsPerSec.median),
      `≥ ${fmt(t.eventsPerSec)}`,
      mark(n ? n.eventsPerSec.median >= t.eventsPerSec : null),
    ],
    [
      `NEW, two instances: events/s (median)`,
      fmt(r.summary.new2?.eventsPerSec.median),
      `≥ ${fmt(t.eventsPerSec)}`,
      mark(r.summary.new2 ? r.summary.new2.eventsPerSec.median >= t.eventsPerSec : null),
    ],
    [
      `NEW redis-server CPU µs/event`,
      fmt(n?.redisMicrosPerEvent?.median, 1),
      `≤ ${t.redisMicrosPerEvent}`,
      mark(n?.redisMicrosPerEvent ? n.redisMicrosPerEvent.median <= t.redisMicrosPerEvent : null),
    ],
    [
      `NEW detector CPU µs/event`,
      fmt(n?.consumerMicrosPerEvent.median, 1),
      `≤ ${t.detectorMicrosPerEvent}`,
      mark(n ? n.consumerMicrosPerEvent.median <= t.detectorMicrosPerEvent : null),
    ],
    [
      `Redis bytes, typical wallet (median)`,
      fmt(bytes?.typical),
      `≤ ${fmt(t.typicalWalletBytes)}`,
      mark(bytes ? bytes.typical <= t.typicalWalletBytes : null),
    ],
    [
      `Redis bytes, busiest wallet sampled`,
      fmt(bytes?.busiest),
      `≤ ${fmt(t.busiestWalletBytes)}`,
      mark(bytes ? bytes.busiest <= t.busiestWalletBytes : null),
    ],
    [
      `p99 record→committed at 2,000/s (ms)`,
      fmt(at2k?.p99),
      `< ${t.p99MsAt2000}`,
      mark(at2k ? at2k.p99 < t.p99MsAt2000 : null),
    ],
  ];
}

export function renderSummary(r: BenchResult): string {
  const rows = (Object.keys(CONSUMER_NAMES) as ConsumerKind[])
    .filter((k) => r.summary[k])
    .map((k) => {
      const s = r.summary[k]!;
      return [
        CONSUMER_NAMES[k],
        range(s.eventsPerSec),
        range(s.consumerMicrosPerEvent, 1),
        range(s.redisMicrosPerEvent, 1),
        range(s.kafkaMicrosPerEvent, 1),
        `${s.counted}/${s.runs}`,
      ];
    });
  return table(
    [
      'Consumer',
      'events/s median (min–max)',
      'consumer CPU µs/event',
      'redis-server CPU µs/event',
      'Kafka broker CPU µs/event',
      'runs counted',
    ],
    rows,
    ['---', '--:', '--:', '--:', '--:', '--:'],
  );
}

export function renderMarkdown(r: BenchResult): string {
  const m = r.machine;
  const runs = table(
    [
      'Consumer',
      'Repeat',
      'events/s',
      'consumer µs/event',
      'Redis µs/event',
      'Kafka µs/event',
      'alerts',
      'dead letters',
      'events/transaction',
      'CAS conflicts',
      'load1 at start',
      'other cores',
      'Flag',
    ],
    r.runs.map((run) => [
      run.consumer,
      String(run.repeat),
      fmt(run.eventsPerSec),
      fmt(run.consumerMicrosPerEvent, 1),
      fmt(run.redisMicrosPerEvent, 1),
      fmt(run.kafkaMicrosPerEvent, 1),
      fmt(run.alerts),
      fmt(run.deadLettered),
      fmt(run.eventsPerTransaction),
      fmt(run.stateConflicts),
      fmt(run.load1AtStart, 2),
      fmt(run.otherCores, 2),
      run.flagged ?? '',
    ]),
    ['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '---'],
  );
  const bytes = table(
    [
      'Detector',
      'typical wallet (median)',
      'busiest wallet sampled',
      'wallets sampled',
      'used_memory growth per wallet',
    ],
    (['before', 'new'] as const)
      .filter((k) => r.walletBytes[k])
      .map((k) => {
        const b = r.walletBytes[k]!;
        return [
          k,
          fmt(b.typical),
          `${fmt(b.busiest)} (${b.busiestWalletId})`,
          String(b.sampled),
          fmt(b.usedMemoryPerWallet),
        ];
      }),
    ['---', '--:', '--:', '--:', '--:'],
  );
  const latency = table(
    [
      'Detector',
      'Rate (events/s)',
      'achieved',
      'events counted',
      'committed',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'load1 at start',
    ],
    r.latency.map((l) => [
      l.detector,
      fmt(l.rate),
      fmt(l.achievedRate),
      fmt(l.events),
      fmt(l.committed),
      fmt(l.p50),
      fmt(l.p95),
      fmt(l.p99),
      fmt(l.max),
      fmt(l.load1AtStart, 2),
    ]),
    ['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:'],
  );
  const scaling = table(
    [
      'Partitions × instances',
      'Redis',
      'events/s',
      'detector µs/event',
      'Redis µs/event',
      'Kafka µs/event',
      'events/transaction',
      'CAS conflicts',
      'load1 at start',
      'other cores',
    ],
    r.scaling.map((s) => [
      `${s.partitions} × ${s.instances}`,
      s.redis,
      fmt(s.eventsPerSec),
      fmt(s.detectorMicrosPerEvent, 1),
      fmt(s.redisMicrosPerEvent, 1),
      fmt(s.kafkaMicrosPerEvent, 1),
      fmt(s.eventsPerTransaction),
      fmt(s.stateConflicts),
      fmt(s.load1AtStart, 2),
      fmt(s.otherCores, 2),
    ]),
    ['---', '---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:'],
  );
  const busy = r.quiet.busyProcessesAtStart;
  return `# FlowGuard benchmark (${r.mode})

\`${r.command}\` — NEW = ${r.revision}, BEFORE = ${r.beforeRevision ?? 'not measured'}; ${m.date}.

## Side by side, one backlog, ${r.repeats} alternating runs each

${fmt(r.events)} events over ${fmt(r.wallets)} wallets on ${r.partitions} partitions (produced at ${fmt(r.backlogProduceEventsPerSec)}/s).

${renderSummary(r)}

${renderPaired(r)}

## Targets (issue 9)

${table(['Metric', 'Measured', 'Target', 'Verdict'], targetRows(r), ['---', '--:', '--:', '---'])}

## Redis bytes per wallet (MEMORY USAGE … SAMPLES 0 over every key of a wallet)

${bytes}

## Latency of every event: record sent → its effects committed

${latency}

## Scaling (NEW)

${scaling}

## Every run

${runs}

## How

- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memGb} GB RAM; Node ${m.node}; Kafka ${m.kafkaVersion}.
  Kafka ${r.endpoints.kafkaBrokers.join(',')}, Redis ${r.endpoints.redisUrl}${r.endpoints.redisClusterNodes ? `, Redis Cluster ${r.endpoints.redisClusterNodes.join(',')}` : ''}.
- Load average (1 min) when the bench started: ${fmt(r.quiet.load1AtStart, 2)}; processes outside the bench
  busier than 5% of a core then: ${busy.length ? busy.map((p) => `${p.command} (${fmt(p.cores, 2)})`).join('; ') : 'none'}.
- Throughput: (a) and (b) are kafkajs consumers in the bench process with the detector's fetch settings;
  (c) and (d) are detector processes (\`node --import tsx services/detector/src/server.ts\`), BEFORE from a
  git worktree of its revision, each run with a fresh consumer group and Redis key prefix on the same
  backlog topic, in the order a, b, c, d and that ${r.repeats} times. Events/s from the moment every
  partition has a committed offset to the last commit (admin.fetchOffsets every 20 ms; process start, group
  join and each partition's first chunk left out). (e) starts on an empty topic of its own, and the same
  backlog is produced onto it once the group holds both instances. CPU per event
  over the same interval from /proc: the detector's process group, redis-server's process.
- "load1 at start" includes the bench's own previous run; a run is flagged, and left out of the medians,
  when processes other than the detector, Redis, Kafka and the bench used more than 0.25 of a core
  during it ("other cores").
- Latency: a producer sends at the rate in 5 ms ticks (record timestamp = send time), picking partitions
  itself so each offset's send time is known; the group's committed offsets are read every 20 ms; each
  event's latency is the first read that shows it committed minus its send time (an upper bound, ~20 ms
  coarse). The first 2 s are warm-up and not counted; events not committed 30 s after the end count as
  infinitely late.
- Scaling: N detector processes in one group on a P-partition backlog (with several, produced once the
  group holds them all, as for (e)); cluster rows use the 3-node Redis Cluster (Redis CPU summed over its
  nodes).

Raw numbers: [latest.json](latest.json).
`;
}
