// Runs a real detector in-process against the test Kafka and Redis, with unique topic, group and key
// names per test, and tears everything down afterwards. Clients come from ./clients.ts.
import type { Kafka, Consumer, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../services/detector/src/config.js';
import { createDetector, type Detector } from '../../services/detector/src/detector.js';
import { createLogger } from '../../services/detector/src/logger.js';
import type { TransactionEventInput } from '../../schemas/transaction-event.js';
import { connectionEnv, requireEndpoint, testKafka, testRedis } from './clients.js';

export { requireEndpoint } from './clients.js';

export interface TopicReader {
  records: { key: string | null; value: string }[];
  close(): Promise<void>;
}

export interface TestDetector {
  config: Config;
  detector: Detector;
  redis: Redis;
  send(
    events: (TransactionEventInput | string | Buffer)[],
    key?: (e: TransactionEventInput) => string,
  ): Promise<void>;
  alerts: TopicReader;
  deadLetters: TopicReader;
  /** Resolves when the detector's group has committed every offset of the input topic. */
  caughtUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

let sequence = 0;

export function testNames() {
  sequence += 1;
  const run = `${Date.now().toString(36)}${process.pid.toString(36)}${sequence}`;
  return {
    run,
    env: {
      INPUT_TOPIC: `t-${run}.in`,
      ALERTS_TOPIC: `t-${run}.alerts`,
      DEAD_LETTER_TOPIC: `t-${run}.dlq`,
      KAFKA_GROUP_ID: `t-${run}`,
      REDIS_KEY_PREFIX: `t${run}`,
    },
  };
}

/**
 * Today's detector builds its Kafka client in ingest/kafka-runtime.ts, without SASL, so the
 * environment it gets names the plaintext listener (Redis is already FlowGuard's ACL user). Once it
 * builds it with kafka/kafka-client.ts createKafka, which reads KAFKA_SASL_*, use connectionEnv() as is.
 */
function detectorConnectionEnv(): Record<string, string> {
  const {
    KAFKA_SASL_MECHANISM: _m,
    KAFKA_SASL_USERNAME: _u,
    KAFKA_SASL_PASSWORD: _p,
    ...env
  } = connectionEnv();
  return { ...env, KAFKA_BROKERS: requireEndpoint('kafkaBrokers') };
}

/** The detector's environment: connections, a free HTTP port, and this test's own names. */
export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...detectorConnectionEnv(),
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    TOPIC_PARTITIONS: '2',
    ...testNames().env,
    ...extra,
  };
}

export async function readTopic(kafka: Kafka, topic: string): Promise<TopicReader & { consumer: Consumer }> {
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}`, maxWaitTimeInMs: 50 });
  const records: TopicReader['records'] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      records.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '' });
    },
  });
  return { consumer, records, close: () => consumer.disconnect() };
}

export async function startTestDetector(extraEnv: Record<string, string> = {}): Promise<TestDetector> {
  const env = testEnv(extraEnv);
  const config = loadConfig(env, {});
  const logger = createLogger(env.LOG_LEVEL!);
  const detector = await createDetector(config, logger);
  await detector.start();
  const kafka = testKafka();
  const producer: Producer = kafka.producer();
  await producer.connect();
  const alerts = await readTopic(kafka, config.kafka.alertsTopic);
  const deadLetters = await readTopic(kafka, config.kafka.deadLetterTopic);
  const redis = testRedis();
  const admin = detector.kafka.admin;

  return {
    config,
    detector,
    redis,
    alerts,
    deadLetters,
    async send(events, key) {
      const messages = events.map((e) =>
        typeof e === 'string' || Buffer.isBuffer(e)
          ? { key: 'raw', value: e }
          : { key: key ? key(e) : (e.toWalletId ?? e.fromWalletId ?? 'none'), value: JSON.stringify(e) },
      );
      for (let i = 0; i < messages.length; i += 1000) {
        await producer.send({
          topic: config.kafka.inputTopic,
          acks: -1,
          messages: messages.slice(i, i + 1000),
        });
      }
    },
    async caughtUp(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const ends = await admin.fetchTopicOffsets(config.kafka.inputTopic);
        const [committed] = await admin.fetchOffsets({
          groupId: config.kafka.groupId,
          topics: [config.kafka.inputTopic],
        });
        const done = ends.every((end) => {
          const c = committed!.partitions.find((p) => p.partition === end.partition);
          return end.high === '0' || (c !== undefined && BigInt(c.offset) >= BigInt(end.high));
        });
        if (done) return;
        if (Date.now() > deadline) throw new Error('detector did not catch up in time');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      await alerts.close();
      await deadLetters.close();
      await producer.disconnect();
      await detector.stop().catch(() => undefined);
      await cleanup(kafka, redis, config);
      redis.disconnect();
    },
  };
}

async function cleanup(kafka: Kafka, redis: Redis, config: Config) {
  const admin = kafka.admin();
  await admin.connect();
  const k = config.kafka;
  await admin
    .deleteTopics({ topics: [k.inputTopic, k.alertsTopic, k.deadLetterTopic] })
    .catch(() => undefined);
  await admin.disconnect();
  await deleteKeys(redis, `${config.redis.keyPrefix}:*`);
}

export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}

export async function waitFor<T>(read: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function settle(ms = 1500): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}
