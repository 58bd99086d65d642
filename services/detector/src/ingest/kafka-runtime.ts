// Owns the Kafka clients: topics, the producer for alerts and dead letters, and the consumer-group loop
// that hands each batch to processBatch and commits its offsets only after it succeeded.
import {
  Kafka,
  Partitioners,
  logLevel,
  type Consumer,
  type Producer,
  type Admin,
  type EachBatchPayload,
} from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { FlowGuardError } from '../errors.js';
import type { InputMessage, OutputRecord } from './batch-processor.js';

export interface KafkaRuntime {
  /** Resolves once every broker acknowledged every record (acks=all). */
  publish(records: OutputRecord[]): Promise<void>;
  start(handleBatch: (messages: InputMessage[]) => Promise<void>): Promise<void>;
  /** Stops fetching, lets the batch in hand finish and commit, then disconnects. */
  stop(): Promise<void>;
  /** The consumer is in its group and the broker answers (the caller bounds how long it waits). */
  isReady(): Promise<boolean>;
  admin: Admin;
}

const MAX_BACKOFF_MS = 5_000;

export async function createKafkaRuntime(config: Config, logger: Logger): Promise<KafkaRuntime> {
  const k = config.kafka;
  const kafka = new Kafka({
    clientId: k.clientId,
    brokers: k.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...extra } = log;
        const method = level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'debug';
        logger[method]({ kafkajs: extra }, message);
      },
    retry: { retries: 8, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  // The default (murmur2, Java-compatible) partitioner, named so kafkajs does not warn at every start.
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumer: Consumer = kafka.consumer({
    groupId: k.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxBytesPerPartition: 1_048_576,
    maxWaitTimeInMs: 50,
  });

  let joined = false;
  let crashed = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
    crashed = false;
  });
  consumer.on(consumer.events.CRASH, (event) => {
    crashed = true;
    logger.error({ err: event.payload.error }, 'Kafka consumer crashed; kafkajs restarts it');
  });
  consumer.on(consumer.events.STOP, () => {
    joined = false;
  });

  try {
    await admin.connect();
    await ensureTopics(admin, config);
    await producer.connect();
  } catch (error) {
    throw new FlowGuardError(
      'FG_KAFKA_UNAVAILABLE',
      `Kafka at ${k.brokers.join(',')} is unreachable: ${(error as Error).message}`,
      {
        cause: error,
        retryable: true,
      },
    );
  }

  async function publish(records: OutputRecord[]): Promise<void> {
    if (!records.length) return;
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic) ?? [];
      list.push({ key: r.key, value: r.value });
      byTopic.set(r.topic, list);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  async function start(handleBatch: (messages: InputMessage[]) => Promise<void>): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topic: k.inputTopic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, k.topicPartitions),
      eachBatch: async (payload) => runBatch(payload, handleBatch),
    });
  }

  async function runBatch(
    payload: EachBatchPayload,
    handleBatch: (messages: InputMessage[]) => Promise<void>,
  ) {
    const { batch, isRunning, isStale, heartbeat } = payload;
    if (!batch.messages.length) return;
    const messages: InputMessage[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      key: m.key,
      value: m.value,
    }));
    // Effects are idempotent, so a failed batch is simply tried again (bounded backoff) and never
    // committed before it succeeds. A rebalance (stale batch) hands it to another member uncommitted.
    for (let attempt = 0; ; attempt++) {
      try {
        await handleBatch(messages);
        break;
      } catch (error) {
        if (!isRunning() || isStale()) throw error;
        const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);
        logger.warn({ err: error, attempt, delay, partition: batch.partition }, 'batch failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        await heartbeat().catch(() => undefined);
      }
    }
    const last = batch.messages[batch.messages.length - 1]!;
    payload.resolveOffset(last.offset);
    await payload.commitOffsetsIfNecessary({
      topics: [
        {
          topic: batch.topic,
          partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }],
        },
      ],
    });
    await heartbeat();
  }

  async function stop(): Promise<void> {
    await consumer.stop();
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }

  async function isReady(): Promise<boolean> {
    if (!joined || crashed) return false;
    await admin.describeCluster();
    return true;
  }

  return { publish, start, stop, isReady, admin };
}

async function ensureTopics(admin: Admin, config: Config): Promise<void> {
  const k = config.kafka;
  const existing = new Set(await admin.listTopics());
  const wanted = [k.inputTopic, k.alertsTopic, k.deadLetterTopic].filter((t) => !existing.has(t));
  if (!wanted.length) return;
  await admin.createTopics({
    waitForLeaders: true,
    topics: wanted.map((topic) => ({ topic, numPartitions: k.topicPartitions, replicationFactor: -1 })),
  });
}
