// Scores the detector's alerts against a scenario's labels: recall per typology, how early and how fast
// the alerts came, precision, and which innocent or unlabelled wallets were alerted. Pure functions.
import type { Alert } from '../../../schemas/alert.js';
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import { INNOCENT_TYPOLOGIES, SUSPICIOUS_TYPOLOGIES, type Label, type Typology } from './scenario.js';

export interface TypologyRow {
  typology: Typology;
  innocent: boolean;
  wallets: number;
  caught: number;
  recall: number;
  /** Rule id → how many of the typology's wallets it fired on. */
  rules: Record<string, number>;
  /** Median count of the label's inbound events at or before the first alert's event time. */
  medianInboundBeforeAlert: number | null;
  /** Median of detectedAt minus the wall time the triggering event was produced, first alerts only. */
  medianLatencyMs: number | null;
}

export interface AlertedWallet {
  walletId: string;
  typology: Typology | 'unlabelled';
  rules: string[];
  firstAlert: Alert;
}

export interface EvaluationReport {
  rows: TypologyRow[];
  alerts: number;
  alertedWallets: number;
  precision: number | null;
  falseAlertWallets: number;
  falseAlertsPer10kOrdinary: number;
  /** The same, counting only alerts on events of the labelled period (after the warm-up). */
  falseAlertWalletsLabelledPeriod: number;
  innocentAlerted: number;
  medianLatencyMs: number | null;
  /** Alerted wallets without a suspicious label: innocent look-alikes and unlabelled ordinary wallets. */
  falseAlerts: AlertedWallet[];
  /** Suspicious wallets never alerted. */
  missed: { walletId: string; typology: Typology }[];
}

export interface EvaluationInput {
  events: TransactionEventInput[];
  labels: Label[];
  alerts: Alert[];
  /** eventId → wall time (epoch ms) it was handed to Kafka. */
  producedAtMs: Map<string, number>;
  ordinaryWallets: number;
  labelledFromMs: number;
}

export function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function evaluateAlerts(input: EvaluationInput): EvaluationReport {
  const events = new Map<string, TransactionEventInput>();
  // The wallet's events at one instant, to find the event an alert was raised on.
  const byWalletAndTime = new Map<string, string[]>();
  for (const e of input.events) {
    if (events.has(e.eventId)) continue;
    events.set(e.eventId, e);
    const at = Date.parse(e.occurredAt);
    for (const wallet of [e.toWalletId, e.fromWalletId]) {
      if (!wallet) continue;
      const key = `${wallet}|${at}`;
      byWalletAndTime.set(key, [...(byWalletAndTime.get(key) ?? []), e.eventId]);
    }
  }

  const alertsByWallet = new Map<string, Alert[]>();
  for (const alert of input.alerts) {
    alertsByWallet.set(alert.walletId, [...(alertsByWallet.get(alert.walletId) ?? []), alert]);
  }
  for (const list of alertsByWallet.values()) {
    list.sort(
      (a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime) || a.detectedAt.localeCompare(b.detectedAt),
    );
  }

  const triggerOf = (alert: Alert): string | undefined => {
    const candidates = byWalletAndTime.get(`${alert.walletId}|${Date.parse(alert.eventTime)}`) ?? [];
    return alert.sampleEventIds.find((id) => candidates.includes(id)) ?? candidates[0];
  };
  const latencyOf = (alert: Alert): number | undefined => {
    const trigger = triggerOf(alert);
    const produced = trigger === undefined ? undefined : input.producedAtMs.get(trigger);
    return produced === undefined ? undefined : Date.parse(alert.detectedAt) - produced;
  };

  const labelsByWallet = new Map<string, Label[]>();
  for (const label of input.labels) {
    labelsByWallet.set(label.walletId, [...(labelsByWallet.get(label.walletId) ?? []), label]);
  }
  const isSuspicious = (walletId: string) => (labelsByWallet.get(walletId) ?? []).some((l) => !l.innocent);

  const typologies: Typology[] = [...SUSPICIOUS_TYPOLOGIES, ...INNOCENT_TYPOLOGIES];
  const missed: EvaluationReport['missed'] = [];
  const rows = typologies.flatMap((typology): TypologyRow[] => {
    const labels = input.labels.filter((l) => l.typology === typology);
    if (!labels.length) return [];
    const rules: Record<string, number> = {};
    const before: number[] = [];
    const latencies: number[] = [];
    let caught = 0;
    for (const label of labels) {
      const alerts = alertsByWallet.get(label.walletId) ?? [];
      if (!alerts.length) {
        if (!label.innocent) missed.push({ walletId: label.walletId, typology });
        continue;
      }
      caught += 1;
      for (const rule of new Set(alerts.flatMap((a) => a.rules))) rules[rule] = (rules[rule] ?? 0) + 1;
      const first = alerts[0]!;
      const firstAt = Date.parse(first.eventTime);
      before.push(
        label.eventIds.filter((id) => {
          const e = events.get(id);
          return e?.toWalletId === label.walletId && Date.parse(e.occurredAt) <= firstAt;
        }).length,
      );
      const latency = latencyOf(first);
      if (latency !== undefined) latencies.push(latency);
    }
    return [
      {
        typology,
        innocent: (INNOCENT_TYPOLOGIES as readonly string[]).includes(typology),
        wallets: labels.length,
        caught,
        recall: caught / labels.length,
        rules,
        medianInboundBeforeAlert: median(before),
        medianLatencyMs: median(latencies),
      },
    ];
  });

  const falseAlerts: AlertedWallet[] = [];
  let truePositives = 0;
  for (const [walletId, alerts] of alertsByWallet) {
    if (isSuspicious(walletId)) {
      truePositives += 1;
      continue;
    }
    falseAlerts.push({
      walletId,
      typology: labelsByWallet.get(walletId)?.[0]?.typology ?? 'unlabelled',
      rules: [...new Set(alerts.flatMap((a) => a.rules))],
      firstAlert: alerts[0]!,
    });
  }
  const alertedWallets = alertsByWallet.size;
  const falseAlertWalletsLabelledPeriod = falseAlerts.filter((f) =>
    alertsByWallet.get(f.walletId)!.some((a) => Date.parse(a.eventTime) >= input.labelledFromMs),
  ).length;
  const allLatencies = input.alerts.map(latencyOf).filter((l): l is number => l !== undefined);
  return {
    rows,
    alerts: input.alerts.length,
    alertedWallets,
    precision: alertedWallets ? truePositives / alertedWallets : null,
    falseAlertWallets: falseAlerts.length,
    falseAlertsPer10kOrdinary: (falseAlerts.length / Math.max(1, input.ordinaryWallets)) * 10_000,
    falseAlertWalletsLabelledPeriod,
    innocentAlerted: input.labels.filter((l) => l.innocent && alertsByWallet.has(l.walletId)).length,
    medianLatencyMs: median(allLatencies),
    falseAlerts,
    missed,
  };
}

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(0)}%`);
const ms = (x: number | null) =>
  x === null ? '–' : x < 10_000 ? `${Math.round(x)} ms` : `${(x / 1000).toFixed(1)} s`;

/** The per-typology table as Markdown (it also reads well in a terminal). */
export function reportTable(report: EvaluationReport): string {
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
    lines.push(
      `| ${name} | ${r.wallets} | ${r.caught} | ${r.innocent ? '–' : pct(r.recall)} | ${rules} | ` +
        `${r.medianInboundBeforeAlert ?? '–'} | ${ms(r.medianLatencyMs)} |`,
    );
  }
  return lines.join('\n');
}

export function reportTotals(report: EvaluationReport): string {
  return [
    `- alerts: ${report.alerts} on ${report.alertedWallets} wallets; median event-to-alert latency ${ms(report.medianLatencyMs)}`,
    `- precision (alerted wallets with a suspicious label / all alerted wallets): ${pct(report.precision)}`,
    `- false-alert wallets: ${report.falseAlertWallets} (${report.falseAlertsPer10kOrdinary.toFixed(1)} per 10,000 ordinary wallets); ` +
      `${report.falseAlertWalletsLabelledPeriod} of them alerted on events of the labelled period, the rest only during the warm-up`,
    `- innocent look-alikes alerted (merchant, birthday, payroll, savings; target 0): ${report.innocentAlerted}`,
    `- suspicious wallets missed: ${report.missed.length ? report.missed.map((m) => `${m.walletId} (${m.typology})`).join(', ') : 'none'}`,
  ].join('\n');
}
