// Runs a real detector in-process against the test Kafka and Redis, with unique topic, group and key
// names per test, and tears everything down afterwards. Clients come from ./clients.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse as InjectResponse } from 'fastify';
import type { Admin, Kafka, Consumer, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import { SCOPES } from '../../services/detector/src/api/auth/scopes.js';
import { addApiKeyToFile, createApiKey } from '../../services/detector/src/api/auth/api-keys.js';
import { loadConfig, type Config } from '../../services/detector/src/config/index.js';
import { createDetector, type Detector } from '../../services/detector/src/detector.js';
import { createLogger } from '../../services/detector/src/logger.js';
import type { TransactionEventInput } from '../../schemas/transaction-event.js';
import { connectionEnv, testKafka, testRedis } from './clients.js';

export { requireEndpoint } from './clients.js';

export interface TopicReader {
  records: { key: string | null; value: string }[];
  close(): Promise<void>;
}

export interface TestDetector {
  config: Config;
  detector: Detector;
  redis: Redis;
  /** An API key with every scope, for REST calls through app.inject. */
  apiKey: string;
  /** GET (or another method) on the detector's API with that key. */
  api(url: string, init?: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown }): Promise<InjectResponse>;
  kafka: Kafka;
  admin: Admin;
  send(
    events: (TransactionEventInput | string | Buffer)[],
    key?: (e: TransactionEventInput) => string,
  ): Promise<void>;
  alerts: TopicReader;
  deadLetters: TopicReader;
  /** Resolves when the detector's group has committed every offset of the input, audit and mentions topics. */
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
      AUDIT_TOPIC: `t-${run}.audit`,
      MENTIONS_TOPIC: `t-${run}.mentions`,
      KAFKA_GROUP_ID: `t-${run}`,
      REDIS_KEY_PREFIX: `t${run}`,
    },
  };
}

/** The detector's environment: connections, a free HTTP port, and this test's own names. */
export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...connectionEnv(),
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

/** A key file with one key holding every scope (the detector reads it as API_KEYS_FILE). */
export function testApiKeyFile(): { file: string; key: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'fg-keys-')), 'api-keys.json');
  const { key, record } = createApiKey({ name: 'tests', scopes: [...SCOPES] });
  addApiKeyToFile(file, record);
  return { file, key };
}

export async function startTestDetector(extraEnv: Record<string, string> = {}): Promise<TestDetector> {
  const keys = testApiKeyFile();
  const env = testEnv({ API_KEYS_FILE: keys.file, ...extraEnv });
  const config = loadConfig(env);
  const logger = createLogger(env.LOG_LEVEL!);
  const detector = await createDetector(config, logger);
  await detector.app.ready();
  await detector.start();
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  const producer: Producer = kafka.producer();
  await producer.connect();
  const alerts = await readTopic(kafka, config.kafka.alertsTopic);
  const deadLetters = await readTopic(kafka, config.kafka.deadLetterTopic);
  const redis = testRedis();

  return {
    config,
    detector,
    redis,
    apiKey: keys.key,
    api: (url, init = {}) =>
      detector.app.inject({
        url,
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${keys.key}` },
        ...(init.body === undefined ? {} : { payload: init.body as object }),
      }),
    kafka,
    admin,
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
      const k = config.kafka;
      const topics = [k.inputTopic, k.auditTopic, k.mentionsTopic];
      for (;;) {
        let done = true;
        for (const topic of topics) {
          // The audit and mentions topics are written in transactions: each ends with a commit marker
          // that takes an offset no consumer is ever handed, so the group stops one short of the end.
          const slack = topic === k.inputTopic ? 0n : 1n;
          const ends = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({ groupId: k.groupId, topics: [topic] });
          done &&= ends.every((end) => {
            const c = committed!.partitions.find((p) => p.partition === end.partition);
            return (
              end.high === '0' ||
              (c !== undefined && BigInt(c.offset) >= 0n && BigInt(c.offset) >= BigInt(end.high) - slack)
            );
          });
        }
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
      await admin.disconnect();
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
    .deleteTopics({ topics: [k.inputTopic, k.alertsTopic, k.deadLetterTopic, k.auditTopic, k.mentionsTopic] })
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
