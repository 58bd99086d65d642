// New alerts as they are published, for the server-sent event stream: each process reads the alerts
// topic (read_committed) from its end in a group of its own, so every replica sees every alert.
import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { AlertSchema, type Alert } from '../../../../../schemas/alert.js';
import { recordJson } from './record-values.js';

export type AlertListener = (alert: Alert) => void;

export class AlertStream {
  private consumer: Consumer | null = null;
  private readonly listeners = new Set<AlertListener>();
  private live = false;
  private readonly liveWaiters: (() => void)[] = [];
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly groupId: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    groupPrefix: string,
    private readonly logger: Logger,
    /** How long to wait before looking again for a topic that does not exist yet. */
    private readonly retryMs: number,
  ) {
    this.groupId = `${groupPrefix}.alert-stream.${randomBytes(6).toString('hex')}`;
  }

  /** True once the consumer has fetched from the topic's end: alerts published from then on reach listeners. */
  get isLive(): boolean {
    return this.live;
  }

  whenLive(): Promise<void> {
    return this.live ? Promise.resolve() : new Promise((resolve) => this.liveWaiters.push(resolve));
  }

  subscribe(listener: AlertListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Starts reading, or, while the topic does not exist, keeps looking for it in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    if (await this.topicExists()) return this.run();
    this.logger.warn({ topic: this.topic }, 'alert stream waits for its topic to exist');
    const lookAgain = () => {
      this.retry = setTimeout(() => {
        void this.topicExists()
          .then((exists) => (exists ? this.run() : lookAgain()))
          .catch((error: unknown) => {
            this.logger.warn({ err: error, topic: this.topic }, 'alert stream could not start; trying again');
            lookAgain();
          });
      }, this.retryMs);
      this.retry.unref();
    };
    lookAgain();
  }

  private async topicExists(): Promise<boolean> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).includes(this.topic);
    } finally {
      await admin.disconnect();
    }
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      readUncommitted: false,
    });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    // The first fetch after joining has resolved the starting offsets (the end of each partition).
    consumer.on(consumer.events.FETCH, () => {
      if (!joined || this.live) return;
      this.live = true;
      for (const resolve of this.liveWaiters.splice(0)) resolve();
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const alert = AlertSchema.safeParse(recordJson(message));
        if (!alert.success) return;
        for (const listener of this.listeners) listener(alert.data);
      },
    });
    this.consumer = consumer;
    if (this.stopped) await this.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.listeners.clear();
    const consumer = this.consumer;
    this.consumer = null;
    if (!consumer) return;
    await consumer.disconnect().catch(() => undefined);
    // The group held no offsets worth keeping: remove it rather than leave one per process behind.
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch (error) {
      this.logger.info(
        { groupId: this.groupId, reason: (error as Error).message },
        'alert stream group not deleted',
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
