// Plain wallet features and updates for rule unit tests (no servers).
import { loadConfig } from '../../services/detector/src/config.js';
import type { HourlyHistory } from '../../services/detector/src/features/feature-store.js';
import type { WalletFeatures, WindowFeatures } from '../../services/detector/src/features/wallet-features.js';
import type { Direction, WalletUpdate } from '../../services/detector/src/ingest/normalized-event.js';
import { loadRuleCatalog, type RuleCatalog } from '../../services/detector/src/rules/rule-catalog.js';
import type { RuleInput } from '../../services/detector/src/rules/rule-types.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const NOW = Date.UTC(2026, 5, 1, 15, 0, 0);

export const config = loadConfig({ KAFKA_BROKERS: '127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1' }, {});
export const defaultCatalog: RuleCatalog = loadRuleCatalog(config.rulesFile, config.features.windows);

export function rule(id: string) {
  const found = defaultCatalog.rules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id} in the default catalog`);
  return found;
}

const emptyWindow = (name: string): WindowFeatures => {
  const lengthMs = config.features.windows.find((w) => w.name === name)!.lengthMs;
  return {
    inCount: 0,
    inSum: 0,
    smallInCount: 0,
    nearThresholdInCount: 0,
    inMax: 0,
    outCount: 0,
    outSum: 0,
    distinctPayers: 0,
    distinctPayees: 0,
    startMs: NOW - lengthMs,
  };
};

/** Features of a wallet at NOW; `windows` values are merged into every listed window. */
export function features(over: {
  walletId?: string;
  ageMs?: number;
  firstSeenAgoMs?: number;
  windows?: Record<string, Partial<WindowFeatures>>;
  overlap?: WalletFeatures['overlap'];
  payersHeld?: number;
}): WalletFeatures {
  const windows: Record<string, WindowFeatures> = {};
  for (const w of config.features.windows)
    windows[w.name] = { ...emptyWindow(w.name), ...(over.windows?.[w.name] ?? {}) };
  const ageMs = over.ageMs ?? 400 * DAY;
  return {
    walletId: over.walletId ?? 'w-test',
    status: 'applied',
    firstSeenMs: NOW - (over.firstSeenAgoMs ?? Math.min(ageMs, 30 * DAY)),
    openedAtMs: NOW - ageMs,
    lastEventMs: NOW,
    lifetime: { inCount: 100, inMean: 30000, inVariance: 0, outCount: 0 },
    payersHeld: over.payersHeld ?? 0,
    payeesHeld: 0,
    overlap: over.overlap ?? null,
    alertPending: false,
    flaggedAtMs: null,
    windows,
  };
}

export function update(direction: Direction, walletId = 'w-test'): WalletUpdate {
  return {
    walletId,
    direction,
    counterparty: 'ref:card-1',
    openedAtMs: undefined,
    event: {
      eventId: 'e-1',
      type: direction === 'in' ? 'deposit' : 'withdrawal',
      occurredAtMs: NOW,
      amount: 30000,
      from: 'ref:card-1',
      fromWalletId: direction === 'out' ? walletId : undefined,
      to: walletId,
      toWalletId: direction === 'in' ? walletId : undefined,
      fromOpenedAtMs: undefined,
      toOpenedAtMs: undefined,
    },
  };
}

/** Hourly inbound history ending at NOW's hour, `perHour(i)` for hour i (0 = oldest). */
export function history(perHour: (hourIndex: number) => number, hours = 14 * 24 + 1): HourlyHistory {
  const counts = Array.from({ length: hours }, (_, i) => perHour(i));
  return { counts, sums: counts.map((c) => c * 30000), endHourMs: Math.floor(NOW / HOUR) * HOUR };
}

export function input(f: WalletFeatures, direction: Direction, h?: HourlyHistory): RuleInput {
  return {
    features: f,
    update: update(direction, f.walletId),
    history: h,
    featureConfig: config.features,
    // FlowGuard has run for a year: every wallet's past is its own.
    streamStartMs: NOW - 365 * DAY,
  };
}
