// FlowGuard in this process on a backlog topic: end-to-end events/s until every offset is committed,
// and what it cost in Redis commands, round trips, CPU and memory.
import type { Admin } from 'kafkajs';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../detector/src/config/index.js';
import { withLocalStackPlaintext } from '../../../scripts/dev/local-stack-env.js';
import { createDetector } from '../../detector/src/detector.js';
import { createLogger } from '../../detector/src/logger.js';
import { pipelineStats } from '../../detector/src/redis/pipelined.js';
import { throughputOf, type ThroughputResult } from './baseline-consumer.js';
import { committedCount, sleep } from './kafka-bench.js';
import { counterDelta, readCounters, type CounterDelta } from './redis-probe.js';

export interface DetectorRunNames {
  inputTopic: string;
  alertsTopic: string;
  deadLetterTopic: string;
  groupId: string;
  keyPrefix: string;
}

export interface DetectorThroughput extends ThroughputResult {
  alerts: number;
  deadLettered: number;
  batches: number;
  redis: CounterDelta;
  /** Pipelines the detector sent, and the commands in them (client side). */
  pipelines: number;
  pipelinedCommands: number;
  processCpuSeconds: number;
  peakRssBytes: number;
}

/** Environment for one detector (in this process or a child), endpoints given explicitly. */
export function detectorEnv(
  endpoints: { kafkaBrokers: string[]; redisUrl: string },
  names: DetectorRunNames,
  partitions: number,
): Record<string, string> {
  return {
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    REDIS_URL: endpoints.redisUrl,
    INPUT_TOPIC: names.inputTopic,
    ALERTS_TOPIC: names.alertsTopic,
    DEAD_LETTER_TOPIC: names.deadLetterTopic,
    KAFKA_GROUP_ID: names.groupId,
    REDIS_KEY_PREFIX: names.keyPrefix,
    PORT: '0',
    LOG_LEVEL: 'warn',
    TOPIC_PARTITIONS: String(partitions),
  };
}

const STALL_MS = 120_000;

async function counterValue(counter: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
}

export async function measureDetector(
  env: Record<string, string>,
  admin: Admin,
  redis: Redis,
  redisPid: number | null,
  total: number,
): Promise<DetectorThroughput> {
  const config = loadConfig(withLocalStackPlaintext({ ...process.env, ...env }));
  const detector = await createDetector(config, createLogger('warn'));
  let events = 0;
  let first: { at: number; events: number } | undefined;
  let finishedAt: number | undefined;
  let lastProgress = performance.now();
  // Progress is what the group committed: every chunk commits in its own Kafka transaction.
  const track = async () => {
    const committed = await committedCount(admin, config.kafka.groupId, config.kafka.inputTopic);
    const now = performance.now();
    if (committed > events) {
      events = committed;
      lastProgress = now;
      first ??= { at: now, events };
    }
    if (events >= total && finishedAt === undefined) finishedAt = now;
  };

  let peakRss = process.memoryUsage().rss;
  const rssSampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const redisBefore = await readCounters(redis, redisPid);
  const pipelinesBefore = { ...pipelineStats };
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  try {
    await detector.start();
    while (finishedAt === undefined) {
      await track();
      if (performance.now() - lastProgress > STALL_MS) {
        throw new Error(`detector stalled at ${events} of ${total} events`);
      }
      await sleep(20);
    }
    const cpu = process.cpuUsage(cpuBefore);
    const redisAfter = await readCounters(redis, redisPid);
    const pipelines = pipelineStats.roundTrips - pipelinesBefore.roundTrips;
    const pipelinedCommands = pipelineStats.commands - pipelinesBefore.commands;
    return {
      ...throughputOf(total, first!, finishedAt, startedAt),
      alerts: await counterValue(detector.metrics.alertsPublished),
      deadLettered: await counterValue(detector.metrics.deadLettered),
      batches: 0,
      redis: counterDelta(redisBefore, redisAfter),
      pipelines,
      pipelinedCommands,
      processCpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssBytes: peakRss,
    };
  } finally {
    clearInterval(rssSampler);
    await detector.stop();
  }
}
