// Runs the Kafka consumer runtime against the real broker with its own topics and group per test,
// reads outputs as a read_committed consumer to the topic's end, and deletes what it created.
import { Kafka, logLevel, type Admin, type ITopicConfig, type Producer } from 'kafkajs';
import type { Counter, Gauge } from 'prom-client';
import {
  loadConfig,
  type KafkaConfig,
  type PipelineConfig,
} from '../../services/detector/src/config/index.js';
import type {
  ChunkHandler,
  OutputRecord,
  PartitionGate,
  SourceRecord,
} from '../../services/detector/src/kafka/chunk-contract.js';
import {
  createConsumerRuntime,
  type ConsumerRuntime,
} from '../../services/detector/src/kafka/consumer-runtime.js';
import { createKafka } from '../../services/detector/src/kafka/kafka-client.js';
import { ensureTopics, waitForLeaders } from '../../services/detector/src/kafka/topics.js';
import { createLogger } from '../../services/detector/src/logger.js';
import { createMetrics, type Metrics } from '../../services/detector/src/metrics.js';
import { requireEndpoint, testNames, waitFor } from './test-detector.js';

export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
}

export interface StartedRuntime {
  runtime: ConsumerRuntime;
  metrics: Metrics;
}

export interface RuntimeOptions {
  handler: ChunkHandler;
  /** The runtime's metrics, when the handler needs to see them too. */
  metrics?: Metrics;
  gate?: PartitionGate;
  recheckMs?: number;
}

export interface KafkaFixture {
  config: { kafka: KafkaConfig; pipeline: PipelineConfig };
  kafka: Kafka;
  admin: Admin;
  /** Appends values to the input topic (to one partition, or spread by key). */
  send(values: (string | Buffer)[], partition?: number): Promise<void>;
  startRuntime(options: RuntimeOptions): Promise<StartedRuntime>;
  /** Every record of the topic, read by a fresh consumer up to the topic's end at the time of the call. */
  readAll(topic: string, options?: { readUncommitted?: boolean }): Promise<ReadRecord[]>;
  /** Resolves once the group's committed offsets reach the end of every input partition. */
  caughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const ACCEPT_ALL: PartitionGate = {
  open: async () => ({ ok: true, streamKey: 'test-stream', offsetMetadata: 'epoch-test' }),
};

/** The output a test handler publishes for an input record: keyed by the record's position. */
export function echo(topic: string, record: SourceRecord): OutputRecord {
  return {
    topic,
    key: `${record.partition}/${record.offset}`,
    value: record.value ?? '',
    sourceOffset: record.offset,
  };
}

export interface FixtureOptions {
  partitions?: number;
  env?: Record<string, string>;
  pipeline?: Partial<PipelineConfig>;
  /** Topics that exist before FlowGuard looks (ensureTopics leaves them as they are). */
  existingTopics?: (config: KafkaConfig) => ITopicConfig[];
}

export async function kafkaFixture(options: FixtureOptions = {}): Promise<KafkaFixture> {
  const { run, env } = testNames();
  const loaded = loadConfig({
    KAFKA_BROKERS: requireEndpoint('kafkaBrokers'),
    // Required by the configuration as a whole; the Kafka runtime never connects to it.
    REDIS_URL: requireEndpoint('redisUrl'),
    INPUT_TOPIC: env.INPUT_TOPIC,
    ALERTS_TOPIC: env.ALERTS_TOPIC,
    DEAD_LETTER_TOPIC: env.DEAD_LETTER_TOPIC,
    AUDIT_TOPIC: `t-${run}.audit`,
    MENTIONS_TOPIC: `t-${run}.mentions`,
    KAFKA_GROUP_ID: env.KAFKA_GROUP_ID,
    TOPIC_PARTITIONS: String(options.partitions ?? 1),
    ...options.env,
  });
  const config = {
    kafka: loaded.kafka,
    pipeline: { ...loaded.pipeline, retryMaxBackoffMs: 200, shutdownTimeoutMs: 10_000, ...options.pipeline },
  };
  const kafka = new Kafka({
    clientId: 'flowguard-tests',
    brokers: config.kafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const existing = options.existingTopics?.(config.kafka) ?? [];
  if (existing.length) {
    await admin.createTopics({ waitForLeaders: false, topics: existing });
    await waitForLeaders(
      admin,
      existing.map((t) => t.topic),
    );
  }
  await ensureTopics(admin, config.kafka);
  const producer: Producer = kafka.producer();
  await producer.connect();
  const runtimes: ConsumerRuntime[] = [];
  const readerGroups: string[] = [];
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

  return {
    config,
    kafka,
    admin,
    async send(values, partition) {
      for (let i = 0; i < values.length; i += 500) {
        await producer.send({
          topic: config.kafka.inputTopic,
          acks: -1,
          messages: values.slice(i, i + 500).map((value, j) => ({ key: `k${i + j}`, value, partition })),
        });
      }
    },
    async startRuntime({ handler, gate = ACCEPT_ALL, recheckMs, metrics = createMetrics() }) {
      const runtime = createConsumerRuntime({
        kafka: createKafka(config.kafka, logger),
        config,
        logger,
        metrics,
        topics: [config.kafka.inputTopic],
        handler,
        gate,
        recheckMs,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
      });
      runtimes.push(runtime);
      await runtime.start();
      return { runtime, metrics };
    },
    async readAll(topic, { readUncommitted = false } = {}) {
      const ends = await admin.fetchTopicOffsets(topic);
      const groupId = `reader-${topic}-${readerGroups.length}`;
      readerGroups.push(groupId);
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50, readUncommitted });
      const records: ReadRecord[] = [];
      // Where the reader is, counting what read_committed filters out (aborted records, markers).
      const position = new Map<number, bigint>();
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        position.set(payload.partition, BigInt(payload.lastOffset) + 1n);
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            records.push({
              partition: batch.partition,
              offset: m.offset,
              key: m.key?.toString() ?? null,
              value: m.value,
            });
          }
        },
      });
      try {
        await waitFor(() => ends.every((e) => (position.get(e.partition) ?? 0n) >= BigInt(e.high)), 30_000);
      } finally {
        await consumer.disconnect();
      }
      return records;
    },
    async caughtUp(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const ends = await admin.fetchTopicOffsets(config.kafka.inputTopic);
        const [committed] = await admin.fetchOffsets({
          groupId: config.kafka.groupId,
          topics: [config.kafka.inputTopic],
        });
        const behind = ends.filter((end) => {
          const c = committed!.partitions.find((p) => p.partition === end.partition);
          return BigInt(end.high) > 0n && (!c || BigInt(c.offset) < BigInt(end.high));
        });
        if (!behind.length) return;
        if (Date.now() > deadline) {
          throw new Error(
            `the group did not catch up on partitions ${behind.map((b) => b.partition).join(',')}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async close() {
      for (const runtime of runtimes) await runtime.stop().catch(() => undefined);
      await producer.disconnect();
      const k = config.kafka;
      await admin
        .deleteTopics({
          topics: [k.inputTopic, k.alertsTopic, k.deadLetterTopic, k.auditTopic, k.mentionsTopic],
        })
        .catch(() => undefined);
      await admin.deleteGroups([k.groupId, ...readerGroups]).catch(() => undefined);
      await admin.disconnect();
    },
  };
}

/** The value of a counter or gauge for these labels (0 when never set). */
export async function metricValue(
  metric: Counter<string> | Gauge<string>,
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([name, value]) => v.labels[name] === value));
  return match?.value ?? 0;
}

/** Polls an async condition until it holds. */
export async function eventually<T>(
  read: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
