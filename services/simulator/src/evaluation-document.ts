// Renders evaluation runs as Markdown: the scenarios side by side (one column per generator, mode and
// seed), then each run's own table, totals and the wallets alerted without a suspicious label.
import type { EvaluationReport, TypologyRow } from './evaluation-report.js';
import {
  GENERATORS,
  INNOCENT_TYPOLOGIES,
  SUSPICIOUS_TYPOLOGIES,
  type GeneratorName,
  type ScenarioMode,
  type Typology,
} from './scenario-types.js';

export interface RunRecord {
  generator: GeneratorName;
  mode: ScenarioMode;
  seed: number;
  scenario: {
    start: string;
    warmUpDays: number;
    days: number;
    ordinaryWallets: number;
    events: number;
    mentions: number;
    duplicateShare: number;
    reorderShare: number;
  };
  harness: {
    elapsedMs: number;
    throughputEventsPerSecond: number;
    mentionsConsumed: boolean;
    deadLetters: number;
    invalidAlerts: number;
  };
  report: EvaluationReport;
}

export interface DocumentMeta {
  title: string;
  command: string;
  seeds: number[];
  revision: string;
  machine: { cpu: string; cores: number; node: string; os: string };
  date: string;
}

/** How many false alerts each run lists by wallet. */
const LISTED_FALSE_ALERTS = 25;

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(0)}%`);
const ms = (x: number | null) =>
  x === null ? '–' : x < 10_000 ? `${Math.round(x)} ms` : `${(x / 1000).toFixed(1)} s`;

export const runName = (r: Pick<RunRecord, 'generator' | 'mode' | 'seed'>) =>
  `${r.generator === GENERATORS[0] ? '' : `${r.generator} `}${r.mode} · seed ${r.seed}`;

function rowOf(run: RunRecord, typology: Typology): TypologyRow | undefined {
  return run.report.rows.find((r) => r.typology === typology);
}

/** Suspicious: "caught/wallets (recall)"; innocent: alerted/wallets; "not measured" where it was not. */
function sideCell(row: TypologyRow | undefined): string {
  if (!row) return '–';
  if (!row.measured) return `not measured (${row.caught}/${row.wallets} by other rules)`;
  if (row.innocent) return `${row.caught}/${row.wallets}`;
  return `${row.caught}/${row.wallets} (${pct(row.recall)})`;
}

export function sideBySide(runs: RunRecord[]): string {
  const blank = runs.map(() => '').join(' | ');
  const line = (name: string, cell: (run: RunRecord) => string) =>
    `| ${name} | ${runs.map(cell).join(' | ')} |`;
  const lines = [`| | ${runs.map(runName).join(' | ')} |`, `|---|${runs.map(() => '---:').join('|')}|`];
  lines.push(`| **suspicious: caught / wallets (recall)** | ${blank} |`);
  for (const t of SUSPICIOUS_TYPOLOGIES) lines.push(line(t, (run) => sideCell(rowOf(run, t))));
  lines.push(`| **innocent look-alikes: alerted / wallets (target 0)** | ${blank} |`);
  for (const t of INNOCENT_TYPOLOGIES) lines.push(line(t, (run) => sideCell(rowOf(run, t))));
  lines.push(`| **totals** | ${blank} |`);
  lines.push(line('false-alert wallets (innocent + unlabelled)', (r) => String(r.report.falseAlertWallets)));
  lines.push(
    line('… of them unlabelled ordinary wallets', (r) => String(r.report.falseAlertsByKind.unlabelled ?? 0)),
  );
  lines.push(
    line(
      'cascade: replacement-wallet alerts on innocent wallets (wallets)',
      (r) => `${r.report.cascade.alerts} (${r.report.cascade.wallets})`,
    ),
  );
  lines.push(line('precision (alerted wallets that are suspicious)', (r) => pct(r.report.precision)));
  lines.push(line('alerts / alerted wallets', (r) => `${r.report.alerts} / ${r.report.alertedWallets}`));
  lines.push(line('events in the scenario', (r) => String(r.scenario.events)));
  lines.push(
    line('detector throughput, end to end', (r) => `${r.harness.throughputEventsPerSecond} events/s`),
  );
  return lines.join('\n');
}

/** One run's per-typology table. */
export function runTable(report: EvaluationReport): string {
  const lines = [
    '| typology | wallets | caught | recall | rules fired (wallets) | median inbound before 1st alert | median latency |',
    '|---|---:|---:|---:|---|---:|---:|',
  ];
  for (const r of report.rows) {
    const rules =
      Object.entries(r.rules)
        .sort((a, b) => b[1] - a[1])
        .map(([rule, n]) => `${rule} (${n})`)
        .join(', ') || '–';
    const name = r.innocent ? `${r.typology} (innocent)` : r.typology;
    const recall = r.innocent ? '–' : r.measured ? pct(r.recall) : 'not measured';
    lines.push(
      `| ${name} | ${r.wallets} | ${r.caught} | ${recall} | ${rules} | ` +
        `${r.medianInboundBeforeAlert ?? '–'} | ${ms(r.medianLatencyMs)} |`,
    );
  }
  return lines.join('\n');
}

const countsText = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ') || 'none';

export function runTotals(run: RunRecord): string {
  const r = run.report;
  const notMeasured = r.rows.filter((row) => !row.measured);
  const roles = r.rows.flatMap((row) =>
    Object.entries(row.roles ?? {}).map(
      ([role, [wallets, alerted]]) => `${row.typology} / ${role}: ${alerted} of ${wallets}`,
    ),
  );
  const lines = [
    `- alerts: ${r.alerts} on ${r.alertedWallets} wallets; median event-to-alert latency ${ms(r.medianLatencyMs)}`,
    `- precision (alerted wallets with a suspicious label / all alerted wallets): ${pct(r.precision)}`,
    `- false-alert wallets: ${r.falseAlertWallets} (${r.falseAlertsPer10kOrdinary.toFixed(1)} per 10,000 ordinary wallets) — ` +
      `by kind: ${countsText(r.falseAlertsByKind)}; ${r.falseAlertWalletsLabelledPeriod} of them alerted on events of ` +
      `the labelled period${run.scenario.warmUpDays ? ', the rest only during the warm-up' : ''}`,
    `- innocent look-alikes alerted (target 0): ${r.innocentAlerted}`,
    `- cascade (replacement-wallet alerts on wallets without a suspicious label): ${r.cascade.alerts} alerts on ` +
      `${r.cascade.wallets} wallets — by kind: ${countsText(r.cascade.byKind)}`,
  ];
  if (roles.length) lines.push(`- alerted by role: ${roles.join('; ')}`);
  lines.push(
    `- suspicious wallets missed: ${r.missed.length ? r.missed.map((m) => `\`${m.walletId}\` (${m.typology})`).join(', ') : 'none'}`,
  );
  for (const row of notMeasured) lines.push(`- ${row.typology}: not measured — ${row.notMeasuredReason}`);
  lines.push(
    `- detector: ${run.harness.throughputEventsPerSecond} events/s end to end, ${run.harness.deadLetters} dead-lettered, ` +
      `${run.harness.invalidAlerts} alerts breaking the contract; mentions topic ` +
      `${run.harness.mentionsConsumed ? 'consumed' : 'not consumed'}`,
  );
  return lines.join('\n');
}

function falseAlertList(report: EvaluationReport): string {
  if (!report.falseAlerts.length) return 'None.';
  const listed = [...report.falseAlerts]
    .sort(
      (a, b) =>
        Number(a.typology === 'unlabelled') - Number(b.typology === 'unlabelled') || b.alerts - a.alerts,
    )
    .slice(0, LISTED_FALSE_ALERTS)
    .map(
      (f) =>
        `- \`${f.walletId}\` (${f.typology}${f.role ? `, ${f.role}` : ''}): ${f.alerts} alert(s), ` +
        `${f.rules.join(', ')} — ${f.firstAlert.summary}`,
    );
  const rest = report.falseAlerts.length - listed.length;
  return listed.join('\n') + (rest > 0 ? `\n- … and ${rest} more (all in the JSON file)` : '');
}

function runSection(run: RunRecord): string {
  const s = run.scenario;
  const history = s.warmUpDays
    ? `${s.warmUpDays} warm-up days + ${s.days} labelled days`
    : `${s.days} days, no warm-up`;
  return `## ${runName(run)}

- scenario: generator ${run.generator}, mode ${run.mode}, seed ${run.seed}, start ${s.start}, ${history},
  ${s.ordinaryWallets} ordinary wallets, ${s.events} events, ${s.mentions} mentions
  (duplicates ${s.duplicateShare}, late arrivals ${s.reorderShare})

${runTable(run.report)}

${runTotals(run)}

### Alerted wallets without a suspicious label

${falseAlertList(run.report)}
`;
}

export function evaluationMarkdown(meta: DocumentMeta, runs: RunRecord[]): string {
  return `# ${meta.title}

Generated by \`services/simulator/src/evaluate.ts\`: each labelled scenario produced as fast as possible
to fresh topics and run through the real detector (in-process, real Kafka and Redis; topics, groups
and key prefix unique to the run and removed afterwards). Regenerate it; do not edit it.

- command: \`${meta.command}\`
- seeds: ${meta.seeds.join(', ')}
- revision: ${meta.revision}
- machine: ${meta.machine.cpu}, ${meta.machine.cores} cores, Node ${meta.machine.node}, ${meta.machine.os}
- date: ${meta.date}

**warm**: two labelled days after two weeks of history. **fresh**: FlowGuard starts with the stream;
ordinary traffic on day one, the suspicious typologies on day two; wallets that existed before (mules,
the slow campaign's wallet, merchants) carry the opening times the processor sends.${
    runs.some((r) => r.generator !== GENERATORS[0])
      ? ' **alt**: the same typologies from an independently shaped generator (scenario-alt.ts).'
      : ''
  }

## Side by side

${sideBySide(runs)}

Latency is measured from the moment the triggering event was handed to Kafka to the alert's
\`detectedAt\`. Everything is produced at once, so it includes the time the event waited behind the
backlog: it measures catching up, not the per-event cost at a steady rate. A typology is "not
measured" when the run could not test it (e.g. nothing consumed the mentions topic); its count then
only says whether other rules happened to alert the wallet.

${runs.map(runSection).join('\n')}`;
}
