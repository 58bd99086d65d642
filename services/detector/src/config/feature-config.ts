// The velocity features: currency, amount classes, windows and their buckets, and the bounds of a
// wallet's state record.
import { z } from 'zod';
import { BaseCurrency } from '../domain/money.js';
import { DAY_MS, HOUR_MS, parseDuration } from '../domain/time.js';
import { csv, duration, positiveInt } from './env-values.js';

/** "USD=92.5,EUR=100.1": how many base-currency units one unit of each currency is worth. */
const fxRates = z.string().transform((text, ctx) => {
  const rates: Record<string, number> = {};
  for (const pair of text.split(',').filter((item) => item.trim())) {
    const [code, rate] = pair.split('=').map((part) => part.trim());
    const value = Number(rate);
    if (!code || !/^[A-Z]{3}$/.test(code) || !(value > 0)) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not CODE=rate with a positive rate` });
      return z.NEVER;
    }
    rates[code] = value;
  }
  return rates;
});

export const featureEnv = {
  BASE_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('RUB'),
  FX_RATES: fxRates.prefault('USD=90,EUR=98,KZT=0.19,UAH=2.2,BYN=28'),
  SMALL_AMOUNT_MAX: z.coerce.number().positive().default(1000),
  REPORTING_THRESHOLD: z.coerce.number().positive().default(15000),
  NEAR_THRESHOLD_SHARE: z.coerce.number().gt(0).lt(1).default(0.9),
  WINDOWS: csv.default(['1h', '6h', '24h', '72h', '7d']),
  FINE_BUCKET: duration.prefault('5m'),
  FINE_WINDOW_MAX: duration.prefault('6h'),
  BASELINE_DAYS: positiveInt.max(60).default(14),
  COUNTERPARTY_CAP: positiveInt.max(10_000).default(1000),
  /** How many recent event fingerprints each wallet keeps to catch an eventId sent again. */
  RECENT_EVENT_IDS: positiveInt.max(4096).default(512),
};

type FeatureEnv = z.output<z.ZodObject<typeof featureEnv>>;

export interface WindowSpec {
  name: string;
  lengthMs: number;
  /** Bucket size the window slides in: FINE_BUCKET up to FINE_WINDOW_MAX, else one hour. */
  resolutionMs: number;
}

export interface FeatureConfig {
  base: BaseCurrency;
  fxRates: Record<string, number>;
  /** Amount classes, base-currency minor units. */
  smallAmountMax: number;
  reportingThreshold: number;
  nearThresholdFrom: number;
  windows: WindowSpec[];
  fineBucketMs: number;
  /** How long fine buckets are kept: the longest fine window (0 when there is none). */
  fineRetentionMs: number;
  /** How long hourly buckets are kept: the baseline, or the longest hourly window if longer. */
  hourlyRetentionMs: number;
  baselineDays: number;
  counterpartyCap: number;
  recentEventIds: number;
  /** A wallet quiet this long (event time of its last event to processing time) expires. */
  stateTtlMs: number;
}

export function buildFeatureConfig(
  e: FeatureEnv,
  fail: (variable: string, message: string) => never,
): FeatureConfig {
  const base = new BaseCurrency(e.BASE_CURRENCY);
  const windows: WindowSpec[] = [];
  for (const name of e.WINDOWS) {
    let lengthMs = 0;
    try {
      lengthMs = parseDuration(name);
    } catch (error) {
      fail('WINDOWS', (error as Error).message);
    }
    // Short windows slide in fine buckets, long ones in hourly buckets (see README, "Windows and buckets").
    const resolutionMs = lengthMs <= e.FINE_WINDOW_MAX ? e.FINE_BUCKET : HOUR_MS;
    if (lengthMs % resolutionMs !== 0) {
      fail('WINDOWS', `${name} is not a whole number of ${resolutionMs / 60_000}-minute buckets`);
    }
    windows.push({ name, lengthMs, resolutionMs });
  }
  if (HOUR_MS % e.FINE_BUCKET !== 0) fail('FINE_BUCKET', 'must divide one hour');
  const fine = windows.filter((w) => w.resolutionMs === e.FINE_BUCKET);
  const hourly = windows.filter((w) => w.resolutionMs === HOUR_MS);
  const fineRetentionMs = Math.max(0, ...fine.map((w) => w.lengthMs));
  const hourlyRetentionMs = Math.max(e.BASELINE_DAYS * DAY_MS, ...hourly.map((w) => w.lengthMs));
  return {
    base,
    fxRates: e.FX_RATES,
    smallAmountMax: base.toMinor(e.SMALL_AMOUNT_MAX),
    reportingThreshold: base.toMinor(e.REPORTING_THRESHOLD),
    nearThresholdFrom: base.toMinor(e.REPORTING_THRESHOLD * e.NEAR_THRESHOLD_SHARE),
    windows,
    fineBucketMs: e.FINE_BUCKET,
    fineRetentionMs,
    hourlyRetentionMs,
    baselineDays: e.BASELINE_DAYS,
    counterpartyCap: e.COUNTERPARTY_CAP,
    recentEventIds: e.RECENT_EVENT_IDS,
    // Two days of slack past the longest retention: a wallet quiet for that long has nothing left to say.
    stateTtlMs: Math.max(fineRetentionMs, hourlyRetentionMs) + 2 * DAY_MS,
  };
}
