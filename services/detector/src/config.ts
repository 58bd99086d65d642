// Environment → typed configuration, parsed once at start. Nothing else reads process.env.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { FlowGuardError } from './errors.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const STACK_ENV_FILE = join(REPO_ROOT, '.stack', 'env');
const DEFAULT_RULES_FILE = join(REPO_ROOT, 'services', 'detector', 'rules', 'default-rules.yaml');

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "5m", "6h", "7d" → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration such as 5m, 6h or 7d`);
  return Number(match[1]) * DURATION_UNITS[match[2]!]!;
}

const duration = z.string().transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const csv = z.string().transform((text) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const positiveInt = z.coerce.number().int().positive();
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a valid Kafka topic name');

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

const EnvSchema = z.object({
  KAFKA_BROKERS: csv.pipe(z.array(z.string().regex(/^[^:]+:\d+$/, 'must be host:port')).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).default('flowguard-detector'),
  KAFKA_GROUP_ID: z.string().min(1).default('flowguard-detector'),
  INPUT_TOPIC: topicName.default('payments.transactions'),
  ALERTS_TOPIC: topicName.default('payments.alerts'),
  DEAD_LETTER_TOPIC: topicName.default('payments.transactions.dlq'),
  TOPIC_PARTITIONS: positiveInt.default(3),
  REDIS_URL: z.url().optional(),
  REDIS_CLUSTER_NODES: csv.optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/i)
    .default('fg'),
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RULES_FILE: z.string().default(DEFAULT_RULES_FILE),
  BASE_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('RUB'),
  FX_RATES: fxRates.prefault('USD=90,EUR=98,KZT=0.19,UAH=2.2,BYN=28'),
  SMALL_AMOUNT_MAX: z.coerce.number().positive().default(1000),
  REPORTING_THRESHOLD: z.coerce.number().positive().default(15000),
  NEAR_THRESHOLD_SHARE: z.coerce.number().gt(0).lt(1).default(0.9),
  WINDOWS: csv.default(['1h', '6h', '24h', '7d']),
  FINE_BUCKET: duration.prefault('5m'),
  FINE_WINDOW_MAX: duration.prefault('6h'),
  BASELINE_DAYS: positiveInt.max(60).default(14),
  DEDUP_HORIZON: duration.prefault('15d'),
  COUNTERPARTY_CAP: positiveInt.default(1000),
  ALERT_HISTORY: positiveInt.max(1000).default(20),
  SHUTDOWN_TIMEOUT: duration.prefault('25s'),
  BATCH_CHUNK_SIZE: positiveInt.max(100_000).default(1000),
});

export interface WindowSpec {
  name: string;
  lengthMs: number;
  resolutionMs: number;
}

export interface FeatureConfig {
  baseCurrency: string;
  fxRates: Record<string, number>;
  /** In base-currency minor units. */
  smallAmountMax: number;
  reportingThreshold: number;
  nearThresholdFrom: number;
  windows: WindowSpec[];
  resolutions: { resolutionMs: number; retentionMs: number }[];
  baselineDays: number;
  dedupHorizonMs: number;
  keyTtlMs: number;
  counterpartyCap: number;
}

export interface Config {
  kafka: {
    brokers: string[];
    clientId: string;
    groupId: string;
    inputTopic: string;
    alertsTopic: string;
    deadLetterTopic: string;
    topicPartitions: number;
  };
  redis: {
    url: string | undefined;
    clusterNodes: string[] | undefined;
    keyPrefix: string;
    username: string | undefined;
    password: string | undefined;
  };
  http: { host: string; port: number };
  logLevel: string;
  rulesFile: string;
  features: FeatureConfig;
  alertHistory: number;
  shutdownTimeoutMs: number;
  /** A Kafka batch is processed in chunks of this many messages, so a wallet flagged early in a big
   * batch (a backlog) already seeds the replacement-wallet rule for the rest of it. */
  batchChunkSize: number;
}

const HOUR = 3_600_000;
const MINOR_UNITS_PER_BASE = 100;

/** KEY=value lines written by `npm run stack:up`; used only for keys the environment leaves unset. */
export function readStackEnv(file = STACK_ENV_FILE): Record<string, string> {
  if (!existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, stackEnv = readStackEnv()): Config {
  const merged: Record<string, string | undefined> = {
    KAFKA_BROKERS: '127.0.0.1:9092',
    ...stackEnv,
    ...definedOnly(env),
  };
  // The stack file also names the cluster used by the cluster tests; the detector uses it only when asked.
  if (env.REDIS_CLUSTER_NODES === undefined) delete merged.REDIS_CLUSTER_NODES;
  // The stack's ACL user exists only on the stack's Redis, not on one the environment names.
  if (env.REDIS_URL !== undefined || env.REDIS_CLUSTER_NODES !== undefined) {
    if (env.REDIS_USERNAME === undefined) delete merged.REDIS_USERNAME;
    if (env.REDIS_PASSWORD === undefined) delete merged.REDIS_PASSWORD;
  }
  const parsed = EnvSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new FlowGuardError('FG_CONFIG_INVALID', `Invalid configuration — ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (!e.REDIS_URL && !e.REDIS_CLUSTER_NODES?.length) {
    throw new FlowGuardError(
      'FG_CONFIG_INVALID',
      'Invalid configuration — REDIS_URL: not set and .stack/env does not name one (run `npm run stack:up`)',
    );
  }
  return {
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID,
      groupId: e.KAFKA_GROUP_ID,
      inputTopic: e.INPUT_TOPIC,
      alertsTopic: e.ALERTS_TOPIC,
      deadLetterTopic: e.DEAD_LETTER_TOPIC,
      topicPartitions: e.TOPIC_PARTITIONS,
    },
    redis: {
      url: e.REDIS_URL,
      clusterNodes: e.REDIS_CLUSTER_NODES,
      keyPrefix: e.REDIS_KEY_PREFIX,
      username: e.REDIS_USERNAME,
      password: e.REDIS_PASSWORD,
    },
    http: { host: e.HOST, port: e.PORT },
    logLevel: e.LOG_LEVEL,
    rulesFile: resolve(REPO_ROOT, e.RULES_FILE),
    features: buildFeatureConfig(e),
    alertHistory: e.ALERT_HISTORY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
    batchChunkSize: e.BATCH_CHUNK_SIZE,
  };
}

function buildFeatureConfig(e: z.infer<typeof EnvSchema>): FeatureConfig {
  const windows: WindowSpec[] = [];
  for (const name of e.WINDOWS) {
    let lengthMs: number;
    try {
      lengthMs = parseDuration(name);
    } catch (error) {
      throw new FlowGuardError(
        'FG_CONFIG_INVALID',
        `Invalid configuration — WINDOWS: ${(error as Error).message}`,
      );
    }
    // Short windows slide in fine buckets, long ones in hourly buckets (see README, "Windows and buckets").
    const resolutionMs = lengthMs <= e.FINE_WINDOW_MAX ? e.FINE_BUCKET : HOUR;
    if (lengthMs % resolutionMs !== 0) {
      throw new FlowGuardError(
        'FG_CONFIG_INVALID',
        `Invalid configuration — WINDOWS: ${name} is not a whole number of ${resolutionMs / 60_000}-minute buckets`,
      );
    }
    windows.push({ name, lengthMs, resolutionMs });
  }
  const baselineMs = e.BASELINE_DAYS * 24 * HOUR;
  const retention = new Map<number, number>([[HOUR, baselineMs]]);
  for (const w of windows)
    retention.set(w.resolutionMs, Math.max(retention.get(w.resolutionMs) ?? 0, w.lengthMs));
  const largestRetention = Math.max(...retention.values());
  if (e.DEDUP_HORIZON < Math.max(...windows.map((w) => w.lengthMs))) {
    throw new FlowGuardError(
      'FG_CONFIG_INVALID',
      'Invalid configuration — DEDUP_HORIZON: must cover the largest window',
    );
  }
  const toMinor = (amount: number) => Math.round(amount * MINOR_UNITS_PER_BASE);
  return {
    baseCurrency: e.BASE_CURRENCY,
    fxRates: e.FX_RATES,
    smallAmountMax: toMinor(e.SMALL_AMOUNT_MAX),
    reportingThreshold: toMinor(e.REPORTING_THRESHOLD),
    nearThresholdFrom: toMinor(e.REPORTING_THRESHOLD * e.NEAR_THRESHOLD_SHARE),
    windows,
    resolutions: [...retention.entries()].map(([resolutionMs, retentionMs]) => ({
      resolutionMs,
      retentionMs,
    })),
    baselineDays: e.BASELINE_DAYS,
    dedupHorizonMs: e.DEDUP_HORIZON,
    // A day of slack for the retention, and a day because expiry is pushed forward once a day.
    keyTtlMs: Math.max(largestRetention, e.DEDUP_HORIZON) + 2 * 24 * HOUR,
    counterpartyCap: e.COUNTERPARTY_CAP,
  };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}
