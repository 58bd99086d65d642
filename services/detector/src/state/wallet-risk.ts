// A wallet's risk right now, for REST and the console: score and level (the same formula as the
// alert decision), the rules behind it, its windows, its hourly timeline against its own baseline,
// analyst flags, watchlist entries and the flagged wallets it shares payers with. One home for the
// snapshot: the window view the rules read.
import type { WalletStateRisk } from '../../../../schemas/wallet-risk.js';
import type { FeatureConfig } from '../config/index.js';
import { DAY_MS, HOUR_MS } from '../domain/time.js';
import { baselineOf } from '../rules/baseline-stats.js';
import type { RuleCatalog } from '../rules/rule-catalog.js';
import { decayedScore, decayedWeight, levelOf } from '../scoring/score.js';
import { positionOf, valueAt } from './bucket-series.js';
import { WalletView } from './window-view.js';
import { FIELD, type WalletState } from './wallet-state.js';

const TIMELINE_DAYS = 7;
/** Window figures that are money (minor units in the state, major units for people). */
const MONEY_FIGURES = new Set(['inSum', 'inMax', 'donationSum', 'purchaseSum', 'outSum', 'passOnSum']);
const iso = (ms: number) => new Date(ms).toISOString();

export function walletRiskOf(
  state: WalletState,
  features: FeatureConfig,
  catalog: RuleCatalog,
  nowMs: number,
): WalletStateRisk {
  const view = new WalletView(state, features);
  // Scores decay in event time: judge at the wallet's newest event, or now when that is later.
  const atMs = Math.max(nowMs, state.lastEventMs);
  const firings = [...state.alerting.firings.entries()].filter(([, f]) => f.lastFiredMs > 0);
  const score = decayedScore(
    firings.map(([, f]) => f),
    atMs,
    catalog.scoring.halfLifeMs,
  );
  const base = features.base;
  const windows: Record<string, Record<string, number>> = {};
  for (const spec of features.windows) {
    const figures: Record<string, number> = {};
    for (const [name, value] of Object.entries(view.window(spec.name))) {
      if (typeof value !== 'number') continue;
      figures[name] = MONEY_FIGURES.has(name) ? base.toMajor(value) : value;
    }
    windows[spec.name] = figures;
  }

  const endHourMs = Math.floor(state.lastEventMs / HOUR_MS) * HOUR_MS;
  const hours: WalletStateRisk['timeline']['hours'] = [];
  for (let h = endHourMs - TIMELINE_DAYS * DAY_MS + HOUR_MS; h <= endHourMs; h += HOUR_MS) {
    const at = positionOf(state.hourly, Math.floor(h / HOUR_MS));
    const field = (f: number) => (at < 0 ? 0 : valueAt(state.hourly, at, f));
    hours.push({
      start: iso(h),
      inbound: field(FIELD.inCount),
      donations: field(FIELD.donationCount),
      purchases: field(FIELD.purchaseCount),
      sum: features.base.toMajor(field(FIELD.inSum)),
    });
  }
  const history = view.hourlyHistory(features.baselineDays * 24);
  const baseline = baselineOf(history, state.firstSeenMs, history.endHourMs);
  const spread = 1.4826 * baseline.madPerHour;

  const ageFrom = state.openedAtMs ?? null;
  return {
    walletId: state.walletId,
    score,
    level: levelOf(score, catalog.scoring.levels),
    rules: firings.map(([ruleId, f]) => ({
      ruleId,
      weight: f.weight,
      lastFiredAt: iso(f.lastFiredMs),
      contribution:
        Math.round(decayedWeight(f.weight, f.lastFiredMs, atMs, catalog.scoring.halfLifeMs) * 10) / 10,
    })),
    features: {
      currency: base.code,
      openedAt: ageFrom === null ? null : iso(ageFrom),
      ageHours: ageFrom === null ? null : Math.round(((atMs - ageFrom) / HOUR_MS) * 100) / 100,
      firstSeen: iso(state.firstSeenMs),
      lastEvent: iso(state.lastEventMs),
      lifetime: {
        ...state.lifetime,
        inSum: base.toMajor(state.lifetime.inSum),
        outSum: base.toMajor(state.lifetime.outSum),
      },
      windows,
    },
    timeline: {
      hours,
      baseline: baseline.hoursObserved
        ? {
            meanPerHour: round(baseline.meanPerHour),
            medianPerHour: round(baseline.medianPerHour),
            madPerHour: round(baseline.madPerHour),
            bandLow: round(Math.max(0, baseline.medianPerHour - 3 * spread)),
            bandHigh: round(baseline.medianPerHour + 3 * Math.max(spread, 1)),
          }
        : null,
    },
    replacement: {
      flaggedAt: state.replacement.flaggedAtMs === null ? null : iso(state.replacement.flaggedAtMs),
      overlaps: [...state.replacement.overlap.entries()]
        .sort((a, b) => b[1].shared - a[1].shared)
        .map(([walletId, o]) => ({
          walletId,
          sharedPayers: Math.round(o.shared * 10) / 10,
          samplePayers: o.sample,
        })),
    },
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
