// One run of the real detector process over a fixed backlog, for the fault tests: its own topics, group
// and Redis key prefix; the backlog produced before the detector starts; progress read from the group's
// committed offsets and the state's checkpoints; the alerts read back as a read_committed consumer.
import type { Admin, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { AlertSchema, SEVERITIES, type Alert } from '../../schemas/alert.js';
import type { TransactionEventInput } from '../../schemas/transaction-event.js';
import { loadConfig, type Config } from '../../services/detector/src/config/index.js';
import { ensureTopics } from '../../services/detector/src/kafka/topics.js';
import { WalletStateStore } from '../../services/detector/src/state/wallet-state-store.js';
import {
  DAY,
  generateScenario,
  lastUtcMidnight,
  messageKey,
  type Label,
} from '../../services/simulator/src/scenario.js';
import { testKafka, testRedis } from './clients.js';
import { killAllDetectors, spawnDetector, type DetectorProcess } from './detector-process.js';
import { faultReport, type FaultMeasurement } from './fault-report.js';
import { deleteKeys, testEnv } from './test-detector.js';
import { readTopicToEnd } from './topic-to-end.js';

export interface FaultRun {
  env: Record<string, string>;
  config: Config;
  kafka: Kafka;
  admin: Admin;
  redis: Redis;
  /** Records in the input topic. */
  total: number;
  /** Per input partition, its end (high watermark). */
  ends: Map<number, bigint>;
  /** Starts one more detector process of the run's group. */
  start(extraEnv?: Record<string, string>): DetectorProcess;
  /** Produces the backlog (done by startFaultRun unless `produceLater`). */
  produce(): Promise<void>;
  /** Per input partition, the next offset the group will read (0 when nothing is committed). */
  committed(): Promise<Map<number, bigint>>;
  /** Records the group has committed, over all input partitions. */
  committedCount(): Promise<number>;
  /** Per input partition, the newest offset whose effects are in Redis (-1 when none). */
  checkpoints(): Promise<Map<number, bigint>>;
  /** Polls until the committed offsets satisfy `done`; resolves with the wall time it first held. */
  until(done: (committed: Map<number, bigint>) => boolean, timeoutMs?: number): Promise<number>;
  /** Resolves once the group has committed the whole input. */
  caughtUp(timeoutMs?: number): Promise<number>;
  /** Every alert on the alerts topic, read to its end with read_committed. */
  alerts(): Promise<Alert[]>;
  /** Payments in and out each wallet's state in Redis has counted ("in/out"; "none" without a record). */
  counts(walletIds: string[]): Promise<Map<string, string>>;
  close(): Promise<void>;
}

export interface FaultRunOptions {
  partitions: number;
  env?: Record<string, string>;
  /** The caller produces the backlog (run.produce()), e.g. once its detectors have joined. */
  produceLater?: boolean;
}

export async function startFaultRun(
  events: TransactionEventInput[],
  options: FaultRunOptions,
): Promise<FaultRun> {
  const env = testEnv({
    TOPIC_PARTITIONS: String(options.partitions),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
    // A killed member's partitions move after this (the broker's minimum), not after 30 s.
    KAFKA_SESSION_TIMEOUT: '6s',
    ...options.env,
  });
  const config = loadConfig(env);
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, config.kafka);
  // Idempotent: a retried send must not put a record in twice, every run reads the same input.
  const producer: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  let ends: { partition: number; high: string }[] = [];
  let total = 0;
  const produce = async () => {
    await producer.connect();
    for (let i = 0; i < events.length; i += 2000) {
      await producer.send({
        topic: config.kafka.inputTopic,
        acks: -1,
        messages: events.slice(i, i + 2000).map((e) => ({ key: messageKey(e), value: JSON.stringify(e) })),
      });
    }
    await producer.disconnect();
    ends = await admin.fetchTopicOffsets(config.kafka.inputTopic);
    total = ends.reduce((sum, p) => sum + Number(p.high), 0);
  };
  if (!options.produceLater) await produce();
  const redis = testRedis();
  // Some fault tests crash this Redis: the client reconnects, its errors meanwhile are expected.
  redis.on('error', () => undefined);

  const committed = async () => {
    const [topic] = await admin.fetchOffsets({
      groupId: config.kafka.groupId,
      topics: [config.kafka.inputTopic],
    });
    const offsets = new Map<number, bigint>();
    for (const p of topic?.partitions ?? []) offsets.set(p.partition, BigInt(Math.max(0, Number(p.offset))));
    return offsets;
  };
  const until = async (done: (c: Map<number, bigint>) => boolean, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = Date.now();
      // The coordinator may move or be away (a broker restart): ask again.
      const offsets = await committed().catch(() => null);
      if (offsets && done(offsets)) return now;
      if (now > deadline) throw new Error(`the group did not get there in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const processes: DetectorProcess[] = [];

  return {
    env,
    config,
    kafka,
    admin,
    redis,
    get total() {
      return total;
    },
    get ends() {
      return new Map(ends.map((e) => [e.partition, BigInt(e.high)]));
    },
    produce,
    start(extraEnv = {}) {
      const detector = spawnDetector({ ...env, ...extraEnv });
      processes.push(detector);
      return detector;
    },
    committed,
    async committedCount() {
      return [...(await committed()).values()].reduce((sum, offset) => sum + Number(offset), 0);
    },
    async checkpoints() {
      const stream = await redis.hgetall(`${config.redis.keyPrefix}:{stream}`);
      const marks = new Map<number, bigint>();
      for (const end of ends) {
        const incarnation = stream[`inc:${config.kafka.inputTopic}/${end.partition}`];
        const checkpoint = incarnation ? stream[`cp:${incarnation}/${end.partition}`] : undefined;
        marks.set(end.partition, checkpoint === undefined ? -1n : BigInt(checkpoint));
      }
      return marks;
    },
    until,
    caughtUp: (timeoutMs) =>
      until((c) => ends.every((end) => (c.get(end.partition) ?? 0n) >= BigInt(end.high)), timeoutMs),
    async alerts() {
      const records = await readTopicToEnd(kafka, admin, config.kafka.alertsTopic);
      return records.map((r) => AlertSchema.parse(JSON.parse(r.value)));
    },
    async counts(walletIds) {
      const store = new WalletStateStore(redis, config.redis.keyPrefix, config.features);
      const counts = new Map<string, string>();
      for (const walletId of walletIds) {
        const state = await store.read(walletId);
        counts.set(walletId, state ? `${state.lifetime.inCount}/${state.lifetime.outCount}` : 'none');
      }
      return counts;
    },
    async close() {
      for (const detector of processes) await detector.signal('SIGKILL');
      const k = config.kafka;
      await admin
        .deleteTopics({
          topics: [k.inputTopic, k.alertsTopic, k.deadLetterTopic, k.auditTopic, k.mentionsTopic],
        })
        .catch(() => undefined);
      await admin.deleteGroups([k.groupId]).catch(() => undefined);
      await admin.disconnect();
      await deleteKeys(redis, `${config.redis.keyPrefix}:*`);
      redis.disconnect();
    },
  };
}

/** What an uninterrupted run of the backlog gave: the reference a fault run is compared with. */
export interface ReferenceRun {
  alerts: Alert[];
  /** The reference's row of the fault report. */
  measurement: FaultMeasurement;
  /** State counts of the wallets asked for (`countsOf`), empty otherwise. */
  counts: Map<string, string>;
}

/** Runs the backlog once through one detector, start to end, with nothing failing. */
export async function referenceRun(
  events: TransactionEventInput[],
  options: FaultRunOptions & { fault?: string; countsOf?: string[] },
): Promise<ReferenceRun> {
  const run = await startFaultRun(events, options);
  try {
    const detector = run.start();
    const started = Date.now();
    await run.caughtUp();
    const totalMs = Date.now() - started;
    const alerts = await run.alerts();
    const counts = options.countsOf ? await run.counts(options.countsOf) : new Map<string, string>();
    await detector.signal('SIGTERM');
    const measurement: FaultMeasurement = {
      fault: options.fault ?? 'none (reference)',
      events: run.total,
      alerts: alerts.length,
      duplicates: 0,
      lost: 0,
      recoverMs: null,
      totalMs,
    };
    return { alerts, measurement, counts };
  } finally {
    await run.close();
  }
}

export function alertSignature(alert: Alert): string {
  return `${alert.walletId} | ${[...alert.rules].sort().join('+')} | ${alert.severity}`;
}

export interface AlertComparison {
  /** Alerts published more than once (the same alertId again). */
  duplicates: number;
  /** Alerts of the uninterrupted run missing from this one. */
  lost: string[];
  /** Alerts of this run the uninterrupted run did not raise. */
  extra: string[];
}

/** This run's alerts (each alertId counted once) against an uninterrupted run's, by signature. */
export function compareAlerts(reference: Alert[], actual: Alert[]): AlertComparison {
  const unique = [...new Map(actual.map((a) => [a.alertId, a])).values()];
  return {
    duplicates: actual.length - unique.length,
    ...compareMultisets(reference.map(alertSignature), unique.map(alertSignature)),
  };
}

/**
 * For runs over several partitions: which rules a wallet in a replacement relation is alerted for
 * depends on which partition ran ahead (donor weights count the gifts seen on every partition so
 * far; docs/faults.md), so those wallets are compared by wallet and highest severity; every other
 * alert exactly, as compareAlerts does.
 */
export function compareAlertsAcrossPartitions(reference: Alert[], actual: Alert[]): AlertComparison {
  const related = new Set(
    [...reference, ...actual].filter((a) => a.rules.includes('replacement-wallet')).map((a) => a.walletId),
  );
  const exact = compareAlerts(
    reference.filter((a) => !related.has(a.walletId)),
    actual.filter((a) => !related.has(a.walletId)),
  );
  const highest = (list: Alert[]) => {
    const rank = new Map<string, number>();
    for (const a of list)
      if (related.has(a.walletId))
        rank.set(a.walletId, Math.max(rank.get(a.walletId) ?? 0, SEVERITIES.indexOf(a.severity)));
    return [...rank].map(([wallet, r]) => `${wallet} | (replacement relation) | ${SEVERITIES[r]}`);
  };
  const loose = compareMultisets(highest(reference), highest(actual));
  return {
    duplicates: actual.length - new Set(actual.map((a) => a.alertId)).size,
    lost: [...exact.lost, ...loose.lost],
    extra: [...exact.extra, ...loose.extra],
  };
}

function compareMultisets(expected: string[], actual: string[]): { lost: string[]; extra: string[] } {
  const left = new Map<string, number>();
  for (const v of expected) left.set(v, (left.get(v) ?? 0) + 1);
  const extra: string[] = [];
  for (const v of actual) {
    const n = left.get(v) ?? 0;
    if (n > 0) left.set(v, n - 1);
    else extra.push(v);
  }
  return { lost: [...left].flatMap(([v, n]) => Array<string>(n).fill(v)), extra };
}

/**
 * The backlog the fault tests replay: the main simulator's warm scenario (seed 42) with four
 * crowdfunding campaigns, two replacement wallets, mules, layering and their innocent look-alikes;
 * about 50,000 and 12,000 events (the exact counts follow the day: the scenario ends at its midnight).
 */
export function faultBacklog(size: 'large' | 'small'): { events: TransactionEventInput[]; labels: Label[] } {
  const shape =
    size === 'large'
      ? { ordinaryWallets: 2100, warmUpDays: 9, days: 2 }
      : { ordinaryWallets: 300, warmUpDays: 2, days: 2 };
  // Ends at today's midnight (UTC): the same events all day, whenever the suite runs.
  const today = lastUtcMidnight();
  const scenario = generateScenario({
    mode: 'warm',
    seed: 42,
    start: new Date(today - (shape.warmUpDays + shape.days) * DAY),
    ...shape,
    counts: { watchlisted: 0, crowdfunding: 4 },
  });
  return { events: scenario.events, labels: scenario.labels };
}

/** The frame every fault suite shares: its reference, its measurements and the run of the test at hand. */
export interface FaultSuite {
  /** The uninterrupted run's alerts (set before the suite's tests). */
  reference: Alert[];
  /** The uninterrupted run's state counts of the wallets named by `countsOf`. */
  referenceCounts: Map<string, string>;
  /** Rows of the suite's fault report, the reference's first. */
  measured: FaultMeasurement[];
  /** Starts a test's fault run on the suite's backlog. */
  start(options: FaultRunOptions): Promise<FaultRun>;
  /** Closes the test's run (after the suite, a run a failed test left open is closed too). */
  finish(): Promise<void>;
}

/**
 * Registers the suite's hooks: before its tests, the uninterrupted reference run; after them, every
 * detector still alive killed, a run left open closed, and the report written under `report`.
 */
export function faultSuite(
  report: string,
  events: TransactionEventInput[],
  referenceOptions: FaultRunOptions & { fault?: string; countsOf?: string[] },
): FaultSuite {
  let current: FaultRun | null = null;
  const suite: FaultSuite = {
    reference: [],
    referenceCounts: new Map(),
    measured: [],
    async start(options) {
      current = await startFaultRun(events, options);
      return current;
    },
    async finish() {
      const run = current;
      current = null;
      await run?.close();
    },
  };
  beforeAll(async () => {
    const uninterrupted = await referenceRun(events, referenceOptions);
    suite.reference = uninterrupted.alerts;
    suite.referenceCounts = uninterrupted.counts;
    suite.measured.push(uninterrupted.measurement);
  });
  afterAll(async () => {
    killAllDetectors();
    await suite.finish();
    faultReport(report, suite.measured);
  });
  return suite;
}
