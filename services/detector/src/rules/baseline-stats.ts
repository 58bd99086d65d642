// A wallet's own normal, from its hourly inbound history: robust (median/MAD) and Poisson views.
import { mean, median, medianAbsoluteDeviation } from 'simple-statistics';
import { HOUR_MS } from '../domain/time.js';
import type { RuleHistory } from './rule-types.js';

export interface Baseline {
  /** Hours of history the wallet actually existed for (hours before its first event are not zeros). */
  hoursObserved: number;
  meanPerHour: number;
  medianPerHour: number;
  madPerHour: number;
  /** Mean inbound amount per hour, base minor units. */
  meanSumPerHour: number;
  /** Mean donations (deposits and transfers in) per hour, and their median and MAD. */
  meanDonationsPerHour: number;
  medianDonationsPerHour: number;
  madDonationsPerHour: number;
}

const EMPTY: Baseline = {
  hoursObserved: 0,
  meanPerHour: 0,
  medianPerHour: 0,
  madPerHour: 0,
  meanSumPerHour: 0,
  meanDonationsPerHour: 0,
  medianDonationsPerHour: 0,
  madDonationsPerHour: 0,
};

/**
 * Baseline from the hours that end before `excludeFromMs` (the window under test is left out so a
 * burst does not raise its own baseline) and end after `fromMs`: the wallet's first event, or the
 * start of what FlowGuard watched of it (quiet hours it watched are part of its normal).
 */
export function baselineOf(history: RuleHistory, fromMs: number, excludeFromMs: number): Baseline {
  // A wallet that keeps firing is judged by several rules, and again after each of its events, on the
  // same history: the view hands out a new history object whenever one changes, so results keep on it.
  let kept = computed.get(history);
  if (kept) {
    for (const k of kept) if (k.fromMs === fromMs && k.excludeFromMs === excludeFromMs) return k.baseline;
  } else computed.set(history, (kept = []));
  const baseline = computeBaseline(history, fromMs, excludeFromMs);
  if (kept.length >= KEPT_PER_HISTORY) kept.length = 0;
  kept.push({ fromMs, excludeFromMs, baseline });
  return baseline;
}

/** Baselines computed from each history, by the bounds they were asked with (a few per history). */
const computed = new WeakMap<RuleHistory, { fromMs: number; excludeFromMs: number; baseline: Baseline }[]>();
const KEPT_PER_HISTORY = 8;

function computeBaseline(history: RuleHistory, fromMs: number, excludeFromMs: number): Baseline {
  const startHour = history.endHourMs - history.counts.length * HOUR_MS;
  const counts: number[] = [];
  const sums: number[] = [];
  const donations: number[] = [];
  history.counts.forEach((count, i) => {
    const hourStart = startHour + i * HOUR_MS;
    if (hourStart + HOUR_MS <= excludeFromMs && hourStart + HOUR_MS > fromMs) {
      counts.push(count);
      sums.push(history.sums[i] ?? 0);
      donations.push(history.donationCounts[i] ?? 0);
    }
  });
  if (counts.length === 0) return EMPTY;
  return {
    hoursObserved: counts.length,
    meanPerHour: mean(counts),
    medianPerHour: median(counts),
    madPerHour: medianAbsoluteDeviation(counts),
    meanSumPerHour: mean(sums),
    meanDonationsPerHour: mean(donations),
    medianDonationsPerHour: median(donations),
    madDonationsPerHour: medianAbsoluteDeviation(donations),
  };
}

/**
 * How many hours of a wallet's normal a window is compared with: at least a whole day. Money habits
 * are daily (takings paid out each evening, a charity's evening appeal), so what its own history
 * predicts for a few busy hours is at most a day's worth, not the mean hour times the window.
 */
export function normalHorizonHours(windowHours: number): number {
  return Math.max(windowHours, 24);
}

/** P(X >= k) for X ~ Poisson(lambda), computed in log space so large k does not underflow to NaN. */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  // Not in the upper tail at all; the rules only care about tiny probabilities.
  if (k <= lambda) return 1;
  let logTerm = -lambda + k * Math.log(lambda) - logFactorial(k);
  let sum = 0;
  for (let i = k; i < k + 1000; i++) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-12) break;
    logTerm += Math.log(lambda) - Math.log(i + 1);
  }
  return Math.min(1, sum);
}

function logFactorial(n: number): number {
  let total = 0;
  for (let i = 2; i <= n; i++) total += Math.log(i);
  return total;
}

/** Robust z-score: how many (MAD-scaled) deviations the observation sits above the median. */
export function robustZ(
  observed: number,
  typical: { medianPerHour: number; madPerHour: number },
  hours: number,
): number {
  const scale = 1.4826 * typical.madPerHour * hours;
  const center = typical.medianPerHour * hours;
  // A MAD of zero (a wallet with mostly empty hours) makes the z-score infinite; the floor of one
  // event per window keeps it finite and comparable.
  return (observed - center) / Math.max(scale, 1);
}
