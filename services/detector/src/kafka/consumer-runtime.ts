// The consumer group of the detector: one member, a partition worker per assigned input partition,
// readiness in words an operator can act on, and an orderly stop (stop fetching, finish and commit the
// chunk in hand, close producers, consumer, admin).
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig, PipelineConfig } from '../config/index.js';
import { FlowGuardError } from '../errors.js';
import type { ChunkHandler, PartitionGate, PartitionStatus, Readiness } from './chunk-contract.js';
import { errorMessage } from './failure-class.js';
import { PartitionWorker, type ConsumerMetrics } from './partition-worker.js';

export type { ConsumerMetrics } from './partition-worker.js';
// The pipeline needs only this module: the contract types come with it.
export type * from './chunk-contract.js';

export interface ConsumerRuntimeOptions {
  kafka: Kafka;
  config: { kafka: KafkaConfig; pipeline: PipelineConfig };
  logger: Logger;
  /** The process metrics (metrics.ts createMetrics()), or any object with these members. */
  metrics: ConsumerMetrics;
  /** The topics the group reads: input, audit and mentions. */
  topics: string[];
  handler: ChunkHandler;
  gate: PartitionGate;
  /** How long a refused or fenced partition waits before it is opened again (default 10 s). */
  recheckMs?: number;
  /** Partitions processed at once (default: every assigned partition, at most 8). */
  concurrency?: number;
  /** kafkajs group timing (defaults: KAFKA_SESSION_TIMEOUT, and a heartbeat a tenth of it, 3 s at most). */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export interface ConsumerRuntime {
  /** Joins the group and starts consuming; the topics must exist (see topics.ts ensureTopics). */
  start(): Promise<void>;
  /** Stops fetching, lets the chunk in hand finish and commit, disconnects producers, consumer, admin. */
  stop(): Promise<void>;
  /** In the group, not crashed, broker answering, no partition stalled or refused. */
  readiness(): Promise<Readiness>;
  partitions(): PartitionStatus[];
  /** The group's committed offsets of a topic (partitions without a commit are left out). */
  committedOffsets(topic: string): Promise<Map<number, bigint>>;
}

const DEFAULT_RECHECK_MS = 10_000;
const BROKER_PROBE_TIMEOUT_MS = 2_000;
const MAX_CONCURRENCY = 8;

export function createConsumerRuntime(options: ConsumerRuntimeOptions): ConsumerRuntime {
  const { kafka, config, logger, metrics, topics, handler, gate } = options;
  const groupId = config.kafka.groupId;
  const sessionTimeout = options.sessionTimeoutMs ?? config.kafka.sessionTimeoutMs;
  const admin = kafka.admin();
  const consumer: Consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    sessionTimeout,
    rebalanceTimeout: 60_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? Math.min(3_000, Math.floor(sessionTimeout / 10)),
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: config.kafka.fetch.partitionBytes,
    maxBytes: config.kafka.fetch.totalBytes,
    // read_committed (kafkajs's default): outputs of an aborted transaction are never input.
    readUncommitted: false,
  });
  const workers = new Map<string, PartitionWorker>();
  let started = false;
  let stopping = false;
  let joined = false;
  let crashed: string | null = null;
  let gaugeTimer: NodeJS.Timeout | null = null;

  const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

  function workerFor(topic: string, partition: number): PartitionWorker {
    const key = keyOf(topic, partition);
    let worker = workers.get(key);
    if (!worker) {
      worker = new PartitionWorker({
        topic,
        partition,
        kafka,
        admin,
        config,
        logger,
        metrics,
        handler,
        gate,
        recheckMs: options.recheckMs ?? DEFAULT_RECHECK_MS,
        isStopping: () => stopping,
        pause: () => consumer.pause([{ topic, partitions: [partition] }]),
        resume: () => consumer.resume([{ topic, partitions: [partition] }]),
        seek: (offset) => consumer.seek({ topic, partition, offset: offset.toString() }),
      });
      workers.set(key, worker);
    }
    return worker;
  }

  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    joined = true;
    crashed = null;
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
      for (const partition of partitions) assigned.add(keyOf(topic, partition));
    }
    // A new generation: every partition is opened afresh (fence, floor, gate) on its next batch.
    for (const [key, worker] of workers) {
      if (assigned.has(key)) {
        worker.reassigned();
      } else {
        workers.delete(key);
        void worker.close();
      }
    }
    // Pausing outlives a generation in kafkajs; the fresh opening decides again.
    const paused = consumer.paused();
    if (paused.length) consumer.resume(paused);
    logger.info({ assignment: payload.memberAssignment }, 'joined the consumer group');
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const next = payload.restart
      ? 'kafkajs is restarting it'
      : 'it will not restart by itself: restart the process';
    crashed = `${errorMessage(payload.error)}; ${next}`;
    logger.error({ err: payload.error, restart: payload.restart }, 'Kafka consumer crashed');
  });
  consumer.on(consumer.events.STOP, () => {
    joined = false;
  });

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    if (stopping || !payload.batch.messages.length) return;
    await workerFor(payload.batch.topic, payload.batch.partition).runBatch(payload);
  }

  async function start(): Promise<void> {
    try {
      await admin.connect();
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
    } catch (error) {
      throw new FlowGuardError(
        'FG_KAFKA_UNAVAILABLE',
        `Kafka at ${config.kafka.brokers.join(',')} is unreachable: ${errorMessage(error)}`,
        { cause: error, retryable: true },
      );
    }
    const concurrency =
      options.concurrency ??
      Math.min(MAX_CONCURRENCY, Math.max(1, topics.length * config.kafka.topicPartitions));
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: concurrency,
      eachBatch,
    });
    started = true;
    gaugeTimer = setInterval(() => {
      for (const worker of workers.values()) worker.publishGauges();
    }, 1_000);
    gaugeTimer.unref();
  }

  async function stop(): Promise<void> {
    if (stopping) return;
    stopping = true;
    if (gaugeTimer) clearInterval(gaugeTimer);
    // A handler that does not finish in time is asked to give up; its chunk is not committed.
    const deadline = setTimeout(() => {
      logger.warn('shutdown timeout: abandoning the chunks in hand (they will be processed again)');
      for (const worker of workers.values()) worker.abandon('shutdown timeout');
    }, config.pipeline.shutdownTimeoutMs);
    deadline.unref();
    try {
      await consumer.stop();
    } finally {
      clearTimeout(deadline);
    }
    await Promise.all([...workers.values()].map((worker) => worker.close()));
    workers.clear();
    await consumer.disconnect();
    await admin.disconnect();
    started = false;
  }

  async function readiness(): Promise<Readiness> {
    const reasons: string[] = [];
    if (stopping) reasons.push('the Kafka consumer is stopping');
    else if (!started) reasons.push('the Kafka consumer has not started');
    else if (crashed !== null) reasons.push(`the Kafka consumer crashed: ${crashed}`);
    else if (!joined) reasons.push(`not a member of consumer group "${groupId}" yet (joining)`);
    const probe = await answersWithin(admin.describeCluster(), BROKER_PROBE_TIMEOUT_MS);
    if (probe !== true) {
      reasons.push(
        `the Kafka broker (${config.kafka.brokers.join(',')}) did not answer within 2 s: ${probe}`,
      );
    }
    const now = Date.now();
    for (const status of partitions()) {
      const name = `${status.topic}/${status.partition}`;
      if (status.refusal !== null) reasons.push(`partition ${name} is not processed: ${status.refusal}`);
      if (status.stalled) {
        const seconds = Math.round((now - status.lastProgressMs) / 1000);
        const why = status.lastError ?? 'its chunk is still in progress';
        reasons.push(`partition ${name} has not advanced for ${seconds} s: ${why}`);
      }
    }
    return { ready: reasons.length === 0, reasons };
  }

  function partitions(): PartitionStatus[] {
    const now = Date.now();
    return [...workers.values()]
      .map((worker) => worker.status(now))
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async function committedOffsets(topic: string): Promise<Map<number, bigint>> {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const offsets = new Map<number, bigint>();
    for (const p of entry?.partitions ?? [])
      if (BigInt(p.offset) >= 0n) offsets.set(p.partition, BigInt(p.offset));
    return offsets;
  }

  return { start, stop, readiness, partitions, committedOffsets };
}

/** true when the promise settles successfully in time, else what went wrong. */
async function answersWithin(promise: Promise<unknown>, ms: number): Promise<true | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer after ${ms} ms`), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true as const,
        (error: unknown) => errorMessage(error),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
