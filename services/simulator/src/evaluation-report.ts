// Scores the detector's alerts against a scenario's labels: recall per typology, how early and how fast
// the alerts came, which innocent look-alikes and unlabelled wallets were alerted, how many replacement
// alerts landed on innocent wallets (the cascade), and precision. Pure functions.
import type { Alert } from '../../../schemas/alert.js';
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import {
  INNOCENT_TYPOLOGIES,
  isInnocentTypology,
  SUSPICIOUS_TYPOLOGIES,
  type Label,
  type Typology,
} from './scenario-types.js';

/** The rule whose alerts on innocent wallets are the cascade a false seed sets off. */
export const REPLACEMENT_RULE = 'replacement-wallet';

export interface TypologyRow {
  typology: Typology;
  innocent: boolean;
  wallets: number;
  /** Wallets with at least one alert (for innocent rows: the false alerts). */
  caught: number;
  recall: number;
  /** False when the detector could not be tested on this typology; `caught` is then only indicative. */
  measured: boolean;
  notMeasuredReason?: string;
  /** Rule id → how many of the typology's wallets it fired on. */
  rules: Record<string, number>;
  /** Median count of the label's inbound events at or before the first alert's event time. */
  medianInboundBeforeAlert: number | null;
  /** Median of detectedAt minus the wall time the triggering event was produced, first alerts only. */
  medianLatencyMs: number | null;
  /** For typologies whose wallets play several parts: role → [wallets, alerted]. */
  roles?: Record<string, [number, number]>;
}

export interface AlertedWallet {
  walletId: string;
  typology: Typology | 'unlabelled';
  role?: string;
  rules: string[];
  alerts: number;
  firstAlert: Alert;
}

export interface CascadeCount {
  /** Replacement-wallet alerts on wallets without a suspicious label. */
  alerts: number;
  wallets: number;
  /** Kind of wallet (innocent typology or "unlabelled") → wallets. */
  byKind: Record<string, number>;
}

export interface EvaluationReport {
  rows: TypologyRow[];
  alerts: number;
  alertedWallets: number;
  precision: number | null;
  falseAlertWallets: number;
  falseAlertsPer10kOrdinary: number;
  /** Kind of wallet (innocent typology or "unlabelled") → false-alert wallets. */
  falseAlertsByKind: Record<string, number>;
  /** The same, counting only alerts on events of the labelled period (after any warm-up). */
  falseAlertWalletsLabelledPeriod: number;
  innocentAlerted: number;
  cascade: CascadeCount;
  medianLatencyMs: number | null;
  /** Alerted wallets without a suspicious label: innocent look-alikes and unlabelled ordinary wallets. */
  falseAlerts: AlertedWallet[];
  /** Suspicious wallets never alerted (measured typologies only). */
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
  /** Typologies the run could not test, with the reason (e.g. nothing consumed the mentions). */
  notMeasured?: Partial<Record<Typology, string>>;
}

export function median(values: number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

const increment = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

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
      const list = byWalletAndTime.get(key);
      if (list) list.push(e.eventId);
      else byWalletAndTime.set(key, [e.eventId]);
    }
  }

  const alertsByWallet = groupBy(input.alerts, (a) => a.walletId);
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

  const labelsByWallet = groupBy(input.labels, (l) => l.walletId);
  const isSuspicious = (walletId: string) => (labelsByWallet.get(walletId) ?? []).some((l) => !l.innocent);

  const typologies: Typology[] = [...SUSPICIOUS_TYPOLOGIES, ...INNOCENT_TYPOLOGIES];
  const missed: EvaluationReport['missed'] = [];
  const rows = typologies.flatMap((typology): TypologyRow[] => {
    const labels = input.labels.filter((l) => l.typology === typology);
    if (!labels.length) return [];
    const notMeasuredReason = input.notMeasured?.[typology];
    const rules: Record<string, number> = {};
    const before: number[] = [];
    const latencies: number[] = [];
    const roles: Record<string, [number, number]> = {};
    let caught = 0;
    for (const label of labels) {
      const alerts = alertsByWallet.get(label.walletId) ?? [];
      if (label.role) {
        const role = (roles[label.role] ??= [0, 0]);
        role[0] += 1;
        if (alerts.length) role[1] += 1;
      }
      if (!alerts.length) {
        if (!label.innocent && !notMeasuredReason) missed.push({ walletId: label.walletId, typology });
        continue;
      }
      caught += 1;
      for (const rule of new Set(alerts.flatMap((a) => a.rules))) increment(rules, rule);
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
    const row: TypologyRow = {
      typology,
      innocent: isInnocentTypology(typology),
      wallets: labels.length,
      caught,
      recall: caught / labels.length,
      measured: notMeasuredReason === undefined,
      rules,
      medianInboundBeforeAlert: median(before),
      medianLatencyMs: median(latencies),
    };
    if (notMeasuredReason !== undefined) row.notMeasuredReason = notMeasuredReason;
    if (Object.keys(roles).length) row.roles = roles;
    return [row];
  });

  const falseAlerts: AlertedWallet[] = [];
  const falseAlertsByKind: Record<string, number> = {};
  const cascade: CascadeCount = { alerts: 0, wallets: 0, byKind: {} };
  let truePositives = 0;
  for (const [walletId, alerts] of alertsByWallet) {
    if (isSuspicious(walletId)) {
      truePositives += 1;
      continue;
    }
    const label = labelsByWallet.get(walletId)?.[0];
    const kind = label?.typology ?? 'unlabelled';
    const alerted: AlertedWallet = {
      walletId,
      typology: kind,
      rules: [...new Set(alerts.flatMap((a) => a.rules))],
      alerts: alerts.length,
      firstAlert: alerts[0]!,
    };
    if (label?.role) alerted.role = label.role;
    falseAlerts.push(alerted);
    increment(falseAlertsByKind, kind);
    const replacementAlerts = alerts.filter((a) => a.rules.includes(REPLACEMENT_RULE)).length;
    if (replacementAlerts) {
      cascade.alerts += replacementAlerts;
      cascade.wallets += 1;
      increment(cascade.byKind, kind);
    }
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
    falseAlertsByKind,
    falseAlertWalletsLabelledPeriod,
    innocentAlerted: input.labels.filter((l) => l.innocent && alertsByWallet.has(l.walletId)).length,
    cascade,
    medianLatencyMs: median(allLatencies),
    falseAlerts,
    missed,
  };
}
