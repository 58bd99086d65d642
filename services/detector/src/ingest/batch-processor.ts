// One Kafka batch, start to finish: decode, update features, evaluate rules, decide and publish alerts,
// dead-letter the bad messages. The caller commits the batch's offsets only after this resolves.
import type { Logger } from 'pino';
import type { DeadLetter } from '../../../../schemas/dead-letter.js';
import { draftAlert } from '../alerts/alert-builder.js';
import type { AlertCandidate, AlertStore } from '../alerts/alert-store.js';
import type { Config } from '../config.js';
import type { FeatureStore, HourlyHistory } from '../features/feature-store.js';
import type { WalletFeatures } from '../features/wallet-features.js';
import type { Metrics } from '../metrics.js';
import type { CurrencyConverter } from '../money.js';
import { evaluateRules } from '../rules/evaluate-rules.js';
import type { RuleCatalog } from '../rules/rule-catalog.js';
import type { Finding } from '../rules/rule-types.js';
import { severityRank } from '../scoring/severity.js';
import { decodeEvent } from './decode-event.js';
import { walletUpdatesOf, type WalletUpdate } from './normalized-event.js';

export interface InputMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

export interface OutputRecord {
  topic: string;
  key: string;
  value: string;
}

export interface BatchDependencies {
  config: Config;
  features: FeatureStore;
  alerts: AlertStore;
  converter: CurrencyConverter;
  catalog: () => RuleCatalog;
  /** Sends records and resolves once every broker acknowledged them (acks=all). */
  publish: (records: OutputRecord[]) => Promise<void>;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
}

export interface BatchResult {
  events: number;
  deadLettered: number;
  alerts: Record<string, unknown>[];
}

const HOUR = 3_600_000;

export async function processBatch(deps: BatchDependencies, messages: InputMessage[]): Promise<BatchResult> {
  const { config, metrics } = deps;
  const catalog = deps.catalog();
  const deadLetters: OutputRecord[] = [];
  const updates: WalletUpdate[] = [];

  for (const message of messages) {
    const decoded = decodeEvent(message.value, deps.converter);
    if (decoded.ok) {
      updates.push(...walletUpdatesOf(decoded.event));
      continue;
    }
    metrics.deadLettered.inc({ code: decoded.code });
    deadLetters.push(
      deadLetterRecord(config.kafka.deadLetterTopic, message, decoded.code, decoded.reason, deps.now()),
    );
  }
  metrics.eventsConsumed.inc(messages.length);

  // Cross-wallet facts first (which payers already paid a flagged wallet), then the updates themselves.
  const payers = updates.filter((u) => u.direction === 'in').map((u) => u.counterparty);
  const since = Math.min(...updates.map((u) => u.event.occurredAtMs)) - catalog.alerting.donorMemoryMs;
  const flaggedPayees = payers.length
    ? await deps.features.flaggedPayeesOf(payers, since)
    : new Map<string, string[]>();
  const snapshots = await deps.features.apply(updates, flaggedPayees);
  for (const s of snapshots) metrics.walletUpdates.inc({ status: s.status });
  await indexLateDonors(deps, catalog, updates, snapshots);

  const candidates = await findAlertCandidates(deps, catalog, updates, snapshots);
  const decided = candidates.length ? await deps.alerts.decide(candidates, catalog, deps.now()) : [];
  const newAlerts = decided.filter((json): json is string => json !== null);

  // Alerts left in an outbox by an earlier crash are published again, with the same alertId.
  const pendingWallets = [...new Set(snapshots.filter((s) => s.alertPending).map((s) => s.walletId))];
  const leftovers = pendingWallets.length ? await deps.alerts.outboxOf(pendingWallets) : [];
  // Keyed by alertId: an alert both left over and decided again is published once. The decided JSON
  // is published as it is; it is parsed only for its key, id and severity.
  const toPublish = new Map<string, { alert: Record<string, unknown>; json: string }>();
  for (const json of [...leftovers, ...newAlerts]) {
    const alert = JSON.parse(json) as Record<string, unknown>;
    toPublish.set(String(alert.alertId), { alert, json });
  }
  const alerts = [...toPublish.values()].map(({ alert }) => alert);
  const alertRecords = [...toPublish.values()].map(({ alert, json }) => ({
    topic: config.kafka.alertsTopic,
    key: String(alert.walletId),
    value: json,
  }));

  await deps.publish([...alertRecords, ...deadLetters]);
  if (alerts.length) {
    await deps.alerts.acknowledgePublished(
      alerts.map((a) => ({ walletId: String(a.walletId), alertId: String(a.alertId) })),
    );
    for (const alert of alerts) metrics.alertsPublished.inc({ severity: String(alert.severity) });
    await seedReplacementIndex(deps, catalog, alerts);
  }
  return { events: messages.length, deadLettered: deadLetters.length, alerts };
}

/**
 * Evaluates the rules after every update, fetching hourly histories (one pipeline) for the wallets
 * whose rules asked for them, and proposes an alert when a wallet's set of firing rules grows within
 * the batch. Whether it is new across batches is decided in Redis.
 */
async function findAlertCandidates(
  deps: BatchDependencies,
  catalog: RuleCatalog,
  updates: WalletUpdate[],
  snapshots: WalletFeatures[],
): Promise<AlertCandidate[]> {
  const featureConfig = deps.config.features;
  if (!updates.length) return [];
  const streamStartMs = await deps.features.streamStart(
    Math.min(...updates.map((u) => u.event.occurredAtMs)),
  );
  const firstPass = updates.map((update, i) =>
    evaluateRules(catalog, {
      features: snapshots[i]!,
      update,
      history: undefined,
      featureConfig,
      streamStartMs,
    }),
  );
  const needing = new Map<string, number>();
  firstPass.forEach((evaluation, i) => {
    if (!evaluation.needsHistory) return;
    const s = snapshots[i]!;
    needing.set(s.walletId, Math.max(needing.get(s.walletId) ?? 0, s.lastEventMs));
  });
  const histories = new Map<string, HourlyHistory>();
  if (needing.size) {
    const wallets = [...needing].map(([walletId, lastEventMs]) => ({ walletId, lastEventMs }));
    const fetched = await deps.features.hourlyHistories(wallets, featureConfig.baselineDays * 24 + 1);
    wallets.forEach((w, i) => histories.set(w.walletId, fetched[i]!));
  }

  const evaluate = (i: number, features: WalletFeatures) => {
    const history = histories.get(features.walletId);
    const input = {
      features,
      update: updates[i]!,
      history: shiftedHistory(history, features),
      featureConfig,
      streamStartMs,
    };
    return firstPass[i]!.needsHistory || features !== snapshots[i]
      ? evaluateRules(catalog, input).findings
      : firstPass[i]!.findings;
  };
  const findingsOf = updates.map((_, i) => evaluate(i, snapshots[i]!));
  await checkReplacementOnSuspects(deps, catalog, updates, snapshots, findingsOf, evaluate);

  const proposed = new Map<string, Set<string>>();
  const candidates: AlertCandidate[] = [];
  updates.forEach((update, i) => {
    const features = snapshots[i]!;
    const findings = findingsOf[i]!;
    if (!findings.length) return;
    const seen = proposed.get(features.walletId) ?? new Set<string>();
    const key = (f: Finding) => `${f.ruleId}:${f.severity}`;
    if (findings.every((f) => seen.has(key(f)))) return;
    findings.forEach((f) => seen.add(key(f)));
    proposed.set(features.walletId, seen);
    candidates.push({
      walletId: features.walletId,
      eventTimeMs: update.event.occurredAtMs,
      windowFromMs: Math.min(...findings.map((f) => f.window.fromMs)),
      draft: draftAlert(features, update.event, findings, featureConfig.baseCurrency, deps.now()),
      firing: findings.map((f) => ({
        ruleId: f.ruleId,
        severityRank: severityRank(f.severity),
        weight: f.weight,
      })),
    });
  });
  return candidates;
}

/**
 * Payers are matched with flagged wallets as they arrive, which misses those who paid this wallet
 * before the other one was flagged (a later analyst flag, or partitions replayed out of step). So a
 * wallet already suspect on other grounds has its whole payer set checked once more, and the rules
 * run again with that overlap.
 */
async function checkReplacementOnSuspects(
  deps: BatchDependencies,
  catalog: RuleCatalog,
  updates: WalletUpdate[],
  snapshots: WalletFeatures[],
  findingsOf: Finding[][],
  evaluate: (i: number, features: WalletFeatures) => Finding[],
): Promise<void> {
  const replacementRules = new Set(
    catalog.rules.filter((r) => r.kind === 'replacement-wallet').map((r) => r.id),
  );
  if (!replacementRules.size) return;
  const suspects = new Map<string, number>();
  findingsOf.forEach((findings, i) => {
    if (updates[i]!.direction !== 'in' || !findings.length) return;
    if (findings.some((f) => replacementRules.has(f.ruleId))) return;
    suspects.set(
      snapshots[i]!.walletId,
      Math.min(suspects.get(snapshots[i]!.walletId) ?? Infinity, updates[i]!.event.occurredAtMs),
    );
  });
  for (const [walletId, atMs] of suspects) {
    const overlap = await deps.features.overlapWithFlagged(walletId, atMs - catalog.alerting.donorMemoryMs);
    if (!overlap) continue;
    updates.forEach((u, i) => {
      const features = snapshots[i]!;
      if (features.walletId !== walletId || u.direction !== 'in') return;
      if (features.overlap && features.overlap.sharedPayers >= overlap.sharedPayers) return;
      const { payersHeld, ...shared } = overlap;
      findingsOf[i] = evaluate(i, { ...features, overlap: shared, payersHeld });
    });
  }
}

/** The history was read once per wallet at its newest event; earlier updates see it ending at their hour. */
function shiftedHistory(
  history: HourlyHistory | undefined,
  features: WalletFeatures,
): HourlyHistory | undefined {
  if (!history) return undefined;
  const shift = Math.round((history.endHourMs - Math.floor(features.lastEventMs / HOUR) * HOUR) / HOUR);
  if (shift <= 0) return history;
  return {
    counts: history.counts.slice(0, history.counts.length - shift),
    sums: history.sums.slice(0, history.sums.length - shift),
    endHourMs: history.endHourMs - shift * HOUR,
  };
}

/** Payers who keep paying a wallet after it was flagged are donors too. */
async function indexLateDonors(
  deps: BatchDependencies,
  catalog: RuleCatalog,
  updates: WalletUpdate[],
  snapshots: WalletFeatures[],
) {
  const entries = updates.flatMap((u, i) => {
    const s = snapshots[i]!;
    return u.direction === 'in' && s.flaggedAtMs !== null && s.status === 'applied'
      ? [{ payer: u.counterparty, walletId: u.walletId, atMs: u.event.occurredAtMs }]
      : [];
  });
  if (entries.length) await deps.features.indexDonors(entries, catalog.alerting.donorMemoryMs);
}

async function seedReplacementIndex(
  deps: BatchDependencies,
  catalog: RuleCatalog,
  alerts: Record<string, unknown>[],
) {
  const seeding = new Set(catalog.alerting.seedsReplacementIndex);
  for (const alert of alerts) {
    const rules = alert.rules as string[];
    if (!rules.some((r) => seeding.has(r))) continue;
    const walletId = String(alert.walletId);
    const payers = await deps.features.recentPayers(walletId);
    await deps.features.markFlagged(
      walletId,
      Date.parse(String(alert.eventTime)),
      payers,
      catalog.alerting.donorMemoryMs,
    );
  }
}

export function deadLetterRecord(
  topic: string,
  message: InputMessage,
  code: string,
  reason: string,
  nowMs: number,
): OutputRecord {
  const record: DeadLetter = {
    code,
    reason,
    source: { topic: message.topic, partition: message.partition, offset: message.offset },
    rejectedAt: new Date(nowMs).toISOString(),
    originalValueBase64: message.value ? message.value.toString('base64') : null,
    originalTruncated: false,
    originalSize: message.value?.length ?? 0,
    originalSha256: null,
    originalKey: message.key ? message.key.toString('utf8') : null,
    attempts: 1,
  };
  return {
    topic,
    key: `${message.topic}/${message.partition}/${message.offset}`,
    value: JSON.stringify(record),
  };
}
