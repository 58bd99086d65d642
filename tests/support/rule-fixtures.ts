// Plain wallets for rule unit tests (no servers): a state and window figures set by hand, read by
// the rules through the same interface as the real window view.
import { loadConfig } from '../../services/detector/src/config/index.js';
import type { Direction, WalletSide } from '../../services/detector/src/domain/transaction.js';
import { loadRuleCatalog, type RuleCatalog } from '../../services/detector/src/rules/rule-catalog.js';
import type {
  RuleHistory,
  RuleInput,
  RuleWalletView,
  RuleWindow,
} from '../../services/detector/src/rules/rule-types.js';
import { emptyWalletState, type WalletState } from '../../services/detector/src/state/wallet-state.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const NOW = Date.UTC(2026, 5, 1, 15, 0, 0);

export const config = loadConfig({ KAFKA_BROKERS: '127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1' });
export const defaultCatalog: RuleCatalog = loadRuleCatalog(
  config.rulesFile,
  config.features.windows,
  config.features.base,
);

export function rule(id: string) {
  const found = defaultCatalog.rules.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id} in the default catalog`);
  return found;
}

function emptyWindow(name: string): RuleWindow {
  const lengthMs = config.features.windows.find((w) => w.name === name)!.lengthMs;
  return {
    name,
    lengthMs,
    startMs: NOW - lengthMs,
    endMs: NOW,
    inCount: 0,
    inSum: 0,
    inMax: 0,
    donationCount: 0,
    donationSum: 0,
    smallDonationCount: 0,
    purchaseCount: 0,
    purchaseSum: 0,
    nearThresholdCount: 0,
    outCount: 0,
    outSum: 0,
    passOnCount: 0,
    passOnSum: 0,
    distinctPayers: 0,
    newPayers: 0,
    repeatPayers: 0,
    distinctPayees: 0,
  };
}

export interface FixtureWallet {
  state: WalletState;
  windows: Record<string, RuleWindow>;
}

/**
 * A wallet at NOW; `windows` values are merged into each listed window. Inbound counts and sums are
 * donations unless the window says otherwise, and every payer is new unless `newPayers` is given.
 */
export function features(over: {
  walletId?: string;
  ageMs?: number | null;
  firstSeenAgoMs?: number;
  windows?: Record<string, Partial<RuleWindow>>;
  overlap?: { walletId: string; sharedPayers: number } | null;
  payersHeld?: number;
  /** Lifetime figures (inbound counts by kind) beyond the empty wallet's. */
  lifetime?: Partial<WalletState['lifetime']>;
}): FixtureWallet {
  const state = emptyWalletState(over.walletId ?? 'w-test', config.features.fineBucketMs);
  const ageMs = over.ageMs === undefined ? 400 * DAY : over.ageMs;
  state.openedAtMs = ageMs === null ? null : NOW - ageMs;
  state.firstSeenMs = NOW - (over.firstSeenAgoMs ?? Math.min(ageMs ?? 30 * DAY, 30 * DAY));
  state.lastEventMs = NOW;
  Object.assign(state.lifetime, over.lifetime);
  for (let i = 0; i < (over.payersHeld ?? 0); i++) {
    state.payers.set(`ref:p${i}`, { firstMs: NOW - HOUR, lastMs: NOW - HOUR, count: 1, sum: 30000 });
  }
  if (over.overlap) {
    state.replacement.overlap.set(over.overlap.walletId, {
      shared: over.overlap.sharedPayers,
      sample: ['ref:p0'],
      flaggedAtMs: NOW - DAY,
    });
  }
  const windows: Record<string, RuleWindow> = {};
  for (const w of config.features.windows) {
    const given = over.windows?.[w.name] ?? {};
    windows[w.name] = {
      ...emptyWindow(w.name),
      donationCount: given.inCount ?? 0,
      donationSum: given.inSum ?? 0,
      newPayers: given.distinctPayers ?? 0,
      ...given,
    };
  }
  return { state, windows };
}

export function side(
  direction: Direction,
  walletId = 'w-test',
  type?: WalletSide['event']['type'],
): WalletSide {
  return {
    walletId,
    direction,
    counterparty: 'ref:card-1',
    openedAtMs: undefined,
    event: {
      eventId: 'e-1',
      idHash: 1,
      bodyHash: 1,
      type: type ?? (direction === 'in' ? 'deposit' : 'withdrawal'),
      occurredAtMs: NOW,
      amount: 30000,
      from: direction === 'out' ? walletId : 'ref:card-1',
      fromWalletId: direction === 'out' ? walletId : undefined,
      to: direction === 'in' ? walletId : 'ref:bank-1',
      toWalletId: direction === 'in' ? walletId : undefined,
      fromOpenedAtMs: undefined,
      toOpenedAtMs: undefined,
      channel: undefined,
      source: { topic: 't', partition: 0, offset: 1, timestampMs: NOW, streamKey: 'i/0' },
    },
  };
}

/** Hourly inbound history ending at NOW's hour, `perHour(i)` for hour i (0 = oldest). */
export function history(perHour: (hourIndex: number) => number, hours = 14 * 24 + 1): RuleHistory {
  const counts = Array.from({ length: hours }, (_, i) => perHour(i));
  return {
    counts,
    sums: counts.map((c) => c * 30000),
    donationCounts: counts,
    endHourMs: Math.floor(NOW / HOUR) * HOUR,
  };
}

export function input(
  f: FixtureWallet,
  direction: Direction,
  h: RuleHistory = history(() => 0),
  over: Partial<RuleInput> = {},
): RuleInput {
  const wallet: RuleWalletView = {
    state: f.state,
    window: (name) => f.windows[name]!,
    windowEndingAt: (name) => f.windows[name]!,
    hourlyHistory: () => h,
  };
  return {
    wallet,
    side: side(direction, f.state.walletId),
    atMs: NOW,
    featureConfig: config.features,
    // FlowGuard has run for a year: every wallet's past is its own.
    streamStartMs: NOW - 365 * DAY,
    ...over,
  };
}

/** The same wallet's rules on its first day under FlowGuard: the stream started `hoursAgo` hours ago. */
export function coldStart(f: FixtureWallet, direction: Direction, hoursAgo: number): RuleInput {
  f.state.firstSeenMs = Math.max(f.state.firstSeenMs, NOW - hoursAgo * HOUR);
  return input(
    f,
    direction,
    history(() => 0),
    { streamStartMs: NOW - hoursAgo * HOUR },
  );
}
