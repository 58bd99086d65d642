// Keeps a Redis index in step with Kafka topics: one consumer group per index epoch, reading from the
// beginning. The epoch lives in Redis next to the index; when it is gone (Redis wiped, or the index's
// keys deleted) the index is rebuilt by a new group that reads the topics from the beginning again.
import { randomBytes } from 'node:crypto';
import type { Batch, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { RedisClient } from '../../redis/redis-connection.js';

export interface MaterializedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

export interface MaterializerOptions {
  /** "alert-index", "audit-index": part of the group id and of the logs. */
  name: string;
  kafka: Kafka;
  redis: RedisClient;
  logger: Logger;
  topics: string[];
  epochKey: string;
  /** Groups are "<groupPrefix>.<name>.<epoch>". */
  groupPrefix: string;
  epochCheckMs: number;
  /** Applies records to the index; must be idempotent (records are seen again after a restart). */
  apply: (batch: MaterializedBatch) => Promise<void>;
  onRebuild?: () => void;
}

export type MaterializerState =
  'stopped' | 'joining' | 'running' | 'rebuilding' | 'waiting-for-topics' | 'failed';

export interface MaterializerStatus {
  state: MaterializerState;
  epoch: string | null;
  groupId: string | null;
  rebuilds: number;
  /** Records behind the end of the partitions it has fetched from. */
  lag: number;
}

/** Messages applied per call of `apply`, with a heartbeat in between. */
const APPLY_CHUNK = 500;
/**
 * How long start() waits for the group join. A member that died without leaving the group (kill -9)
 * holds it until its session times out; the app must not wait for that (avvio gives a plugin 10 s).
 */
const START_WAIT_MS = 5_000;

export class TopicMaterializer {
  private consumer: Consumer | null = null;
  private epoch: string | null = null;
  private state: MaterializerState = 'stopped';
  private timer: NodeJS.Timeout | undefined;
  private switching: Promise<void> | null = null;
  private stopped = true;
  private rebuilds = 0;
  private readonly positions = new Map<string, { applied: bigint; high: bigint }>();

  constructor(private readonly options: MaterializerOptions) {}

  get groupId(): string | null {
    return this.epoch ? `${this.options.groupPrefix}.${this.options.name}.${this.epoch}` : null;
  }

  status(): MaterializerStatus {
    let lag = 0n;
    for (const { applied, high } of this.positions.values())
      if (high > applied + 1n) lag += high - applied - 1n;
    return {
      state: this.state,
      epoch: this.epoch,
      groupId: this.groupId,
      rebuilds: this.rebuilds,
      lag: Number(lag),
    };
  }

  /** Joins the index's group; resolves after START_WAIT_MS at most and goes on joining in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    const epoch = await this.acquireEpoch();
    this.state = 'joining';
    const joined = this.runGroup(epoch).catch((error: unknown) => {
      // Kafka away or the join refused: the next epoch check starts the group again.
      this.state = 'failed';
      this.options.logger.error({ err: error, index: this.options.name }, 'index consumer could not start');
    });
    this.switching = joined.finally(() => {
      this.switching = null;
    });
    this.timer = setInterval(() => void this.checkEpoch(), this.options.epochCheckMs);
    this.timer.unref();
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, START_WAIT_MS);
    });
    await Promise.race([joined, waited]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.switching;
    await this.stopConsumer();
    this.state = 'stopped';
  }

  /** The epoch in Redis, created if there is none (the first replica to look wins). */
  private async acquireEpoch(): Promise<string> {
    for (;;) {
      await this.options.redis.set(this.options.epochKey, randomBytes(8).toString('hex'), 'NX');
      const epoch = await this.options.redis.get(this.options.epochKey);
      if (epoch) return epoch;
    }
  }

  private async checkEpoch(): Promise<void> {
    if (this.switching || this.stopped) return;
    let current: string | null;
    try {
      current = await this.options.redis.get(this.options.epochKey);
    } catch (error) {
      this.options.logger.warn({ err: error, index: this.options.name }, 'index epoch check failed');
      return;
    }
    if (current === this.epoch && this.state === 'running') return;
    this.switching = (current === this.epoch ? this.restart() : this.rebuild(current))
      .catch((error: unknown) => {
        // Kafka or Redis away: the next check tries again from where this one stopped.
        this.state = 'failed';
        this.options.logger.error({ err: error, index: this.options.name }, 'index consumer could not start');
      })
      .finally(() => {
        this.switching = null;
      });
  }

  /** The same epoch, a consumer that stopped (a topic was missing, a crash it did not recover from). */
  private async restart(): Promise<void> {
    await this.stopConsumer();
    await this.runGroup(this.epoch!);
  }

  private async rebuild(seen: string | null): Promise<void> {
    this.state = 'rebuilding';
    const oldGroup = this.groupId;
    this.options.logger.warn(
      { index: this.options.name, oldGroup },
      'index epoch gone from Redis: rebuilding the index from the beginning of its topics',
    );
    await this.stopConsumer();
    await this.runGroup(seen ?? (await this.acquireEpoch()));
    this.rebuilds++;
    this.options.onRebuild?.();
    if (oldGroup && oldGroup !== this.groupId) await this.deleteGroup(oldGroup);
  }

  private async runGroup(epoch: string): Promise<void> {
    this.epoch = epoch;
    this.positions.clear();
    const { kafka, topics, logger, name } = this.options;
    const admin = kafka.admin();
    await admin.connect();
    let missing: string[];
    try {
      const existing = new Set(await admin.listTopics());
      missing = topics.filter((topic) => !existing.has(topic));
    } finally {
      await admin.disconnect();
    }
    if (missing.length > 0) {
      // Subscribing would either fail slowly or create the topic with the broker's defaults (the audit
      // topic must keep its records forever): wait for whoever owns the topics to create them.
      this.state = 'waiting-for-topics';
      logger.warn({ index: name, missing }, 'index waits for its topics to exist');
      return;
    }
    const consumer = kafka.consumer({
      groupId: this.groupId!,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      readUncommitted: false,
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart && this.consumer === consumer) this.state = 'failed';
    });
    try {
      await consumer.connect();
      for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch, heartbeat }) => this.onBatch(batch, heartbeat),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
    this.consumer = consumer;
    this.state = 'running';
    logger.info({ index: name, groupId: this.groupId }, 'index consumer running');
  }

  private async onBatch(batch: Batch, heartbeat: () => Promise<void>): Promise<void> {
    // Nothing goes into an index whose epoch is gone: the rebuild will put it there.
    const current = await this.options.redis.get(this.options.epochKey);
    if (current !== this.epoch) {
      void this.checkEpoch();
      return;
    }
    for (let i = 0; i < batch.messages.length; i += APPLY_CHUNK) {
      await this.options.apply({
        topic: batch.topic,
        partition: batch.partition,
        messages: batch.messages.slice(i, i + APPLY_CHUNK),
      });
      await heartbeat();
    }
    const last = batch.messages.at(-1);
    if (last) {
      this.positions.set(`${batch.topic}/${batch.partition}`, {
        applied: BigInt(last.offset),
        high: BigInt(batch.highWatermark),
      });
    }
  }

  private async stopConsumer(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect().catch((error: unknown) => {
      this.options.logger.warn(
        { err: error, index: this.options.name },
        'index consumer did not stop cleanly',
      );
    });
  }

  /** The abandoned epoch's group: best effort (another replica may still be leaving it). */
  private async deleteGroup(groupId: string): Promise<void> {
    const admin = this.options.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([groupId]);
    } catch (error) {
      this.options.logger.info({ groupId, reason: (error as Error).message }, 'old index group not deleted');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
