// The bench's result: one JSON document (docs/bench/latest.json), a table for the terminal, and the
// same table with the command and the machine as Markdown (docs/bench/latest.md).
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { REPO_ROOT } from '../../../scripts/dev/local-stack-env.js';
import type { ScalingResult } from './scaling.js';

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  campaigns: number;
  alerted: number;
  achievedRate: number;
}

export interface BenchResult {
  mode: 'quick' | 'full';
  command: string;
  /** The commit measured, "+dirty" when services/detector had uncommitted changes. */
  revision: string;
  endpoints: { kafkaBrokers: string[]; redisUrl: string };
  events: number;
  wallets: number;
  partitions: number;
  backlogProduceEventsPerSec: number | null;
  eventsPerSec: number | null;
  eventsPerSecIncludingStartup: number | null;
  baselineEventsPerSec: number | null;
  ratioToBaseline: number | null;
  alerts: number | null;
  latencyMs: Record<string, LatencySummary>;
  redisBytesPerWallet: {
    typical: number;
    busiest: number;
    busiestWalletId: string;
    sampled: number;
    usedMemoryDeltaPerWallet: number;
  } | null;
  detectorRssMb: number | null;
  redisCommandsPerEvent: number | null;
  /** Commands the detector put in its pipelines (client side: a script call counts once). */
  redisCommandsSentPerEvent: number | null;
  redisScriptCallsPerEvent: number | null;
  redisRoundTripsPerEvent: number | null;
  redisTopCommandsPerEvent: Record<string, number> | null;
  cpuSecondsPer100k: { detector: number; redis: number | null } | null;
  scaling: ScalingResult[];
  scalingInstances: string;
  machine: {
    cpuModel: string;
    cores: number;
    memGb: number;
    node: string;
    kafkaVersion: string;
    date: string;
  };
  targets: { eventsPerSec: number; ratioToBaseline: number; p99MsAt2000: number };
}

export const TARGETS = { eventsPerSec: 20_000, ratioToBaseline: 0.6, p99MsAt2000: 250 };

export function revision(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
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

const fmt = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? '—'
    : value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Infinity: some campaigns were never alerted within the drain time. */
const fmtMs = (value: number) => (value === Infinity ? '∞' : fmt(value));

const verdict = (ok: boolean | null) => (ok === null ? '' : ok ? ' ✓' : ' ✗');

export function resultRows(r: BenchResult): [string, string, string][] {
  const rows: [string, string, string][] = [];
  const passes = (value: number | null | undefined, test: (v: number) => boolean) =>
    value === null || value === undefined || Number.isNaN(value) ? null : test(value);
  rows.push([
    'FlowGuard end to end (events/s)',
    fmt(r.eventsPerSec) + verdict(passes(r.eventsPerSec, (v) => v >= TARGETS.eventsPerSec)),
    `≥ ${fmt(TARGETS.eventsPerSec)}`,
  ]);
  rows.push(['  same, group join included (events/s)', fmt(r.eventsPerSecIncludingStartup), '']);
  rows.push(['Baseline: kafkajs read + JSON.parse (events/s)', fmt(r.baselineEventsPerSec), '']);
  rows.push([
    'Ratio to baseline',
    r.ratioToBaseline === null
      ? '—'
      : `${fmt(r.ratioToBaseline * 100, 1)}%` +
        verdict(passes(r.ratioToBaseline, (v) => v >= TARGETS.ratioToBaseline)),
    `≥ ${TARGETS.ratioToBaseline * 100}%`,
  ]);
  rows.push(['Backlog produce rate (events/s)', fmt(r.backlogProduceEventsPerSec), '']);
  for (const [rate, l] of Object.entries(r.latencyMs)) {
    const target = rate === '2000' ? TARGETS.p99MsAt2000 : null;
    rows.push([
      `Event→alert latency at ${fmt(Number(rate))}/s, p50 / p95 / p99 (ms)`,
      `${fmtMs(l.p50)} / ${fmtMs(l.p95)} / ${fmtMs(l.p99)}` +
        (target === null ? '' : verdict(passes(l.p99, (v) => v < target))),
      target === null ? '' : `p99 < ${target}`,
    ]);
    rows.push([
      `  campaigns alerted; produced rate`,
      `${l.alerted}/${l.campaigns}; ${fmt(l.achievedRate)}/s`,
      '',
    ]);
  }
  rows.push(['Redis commands per event (server, inside scripts too)', fmt(r.redisCommandsPerEvent, 1), '']);
  rows.push(['Redis commands sent per event (client)', fmt(r.redisCommandsSentPerEvent, 2), '']);
  rows.push(['Redis script calls per event', fmt(r.redisScriptCallsPerEvent, 2), '']);
  rows.push(['Redis round trips (pipelines) per event', fmt(r.redisRoundTripsPerEvent, 4), '']);
  rows.push(['CPU s per 100k events: detector process', fmt(r.cpuSecondsPer100k?.detector, 1), '']);
  rows.push(['CPU s per 100k events: redis-server', fmt(r.cpuSecondsPer100k?.redis, 1), '']);
  rows.push(['Detector RSS peak, in the bench process (MB)', fmt(r.detectorRssMb), '']);
  rows.push(['Redis bytes per wallet: typical (median)', fmt(r.redisBytesPerWallet?.typical), '']);
  rows.push(['Redis bytes per wallet: busiest in sample', fmt(r.redisBytesPerWallet?.busiest), '']);
  rows.push(['Redis used_memory delta per wallet', fmt(r.redisBytesPerWallet?.usedMemoryDeltaPerWallet), '']);
  for (const s of r.scaling) {
    rows.push([
      `Scaling: ${s.partitions} partition(s), ${s.instances} instance(s) (events/s)`,
      fmt(s.eventsPerSec),
      '',
    ]);
  }
  return rows;
}

export function renderTable(rows: [string, string, string][], markdown: boolean): string {
  const header: [string, string, string] = ['Metric', 'Result', 'Target'];
  if (markdown) {
    return [header, ['---', '--:', '--:'], ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  }
  const widths = [0, 1, 2].map((i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function renderMarkdown(r: BenchResult): string {
  const m = r.machine;
  return `# FlowGuard benchmark (${r.mode})

${renderTable(resultRows(r), true)}

- Command: \`${r.command}\` at revision ${r.revision}
- Kafka ${r.endpoints.kafkaBrokers.join(',')}, Redis ${r.endpoints.redisUrl}.
- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memGb} GB RAM; Node ${m.node}; Kafka ${m.kafkaVersion}; ${m.date}
- Backlog: ${fmt(r.events)} events over ${fmt(r.wallets)} wallets, ${r.partitions} partitions; ${fmt(r.alerts)} alerts raised on it.
- End-to-end rate: the detector in the bench's process, from its first finished batch to its last
  (group join left out; the row below it includes it). Baseline: a kafkajs consumer with the same fetch
  settings that only JSON-parses each message.
- Latency: the detector as a child process; one campaign wallet a second gets 25 small deposits within
  a second and is alerted at the 20th; latency is alert received minus that event sent, one sample per
  campaign.
- Scaling: ${r.scalingInstances}.
- Redis CPU and commands are read from the server and include anything else it served meanwhile.

Raw numbers: [latest.json](latest.json). Where the time goes: [profile.md](profile.md)
(\`npx tsx services/bench/src/profile-detector.ts\`).
`;
}
