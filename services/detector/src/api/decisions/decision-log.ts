// Appends analyst decisions to Kafka before anyone is told they happened: a transactional producer
// (acks=all) commits every record of a decision at once (a watchlist mention and its audit record),
// and concurrent decisions share a transaction, since a producer runs one transaction at a time.
import type { Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ApiProblem } from '../problems.js';

export interface DecisionRecord {
  topic: string;
  key: string;
  value: string;
  /** The record's time on the topic (ms); views that list by it read the same value back. */
  timestampMs: number;
}

interface Waiting {
  records: DecisionRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The most decisions one transaction carries; the rest wait for the next. */
const MAX_DECISIONS_PER_TRANSACTION = 200;

export class DecisionLog {
  private producer: Producer | null = null;
  private readonly queue: Waiting[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly transactionalId: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.connected();
  }

  async stop(): Promise<void> {
    await this.flushing;
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
  }

  /** Resolves once the broker has committed every record; rejects with a 503 problem otherwise. */
  append(records: DecisionRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.flushing ??= this.flush().finally(() => {
        this.flushing = null;
      });
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_DECISIONS_PER_TRANSACTION);
      try {
        await this.commit(batch.flatMap((waiting) => waiting.records));
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        this.logger.error({ err: error, decisions: batch.length }, 'decision transaction failed');
        const problem = new ApiProblem(
          'FG_KAFKA_UNAVAILABLE',
          'the decision could not be recorded in the audit log; nothing changed, retry',
          { cause: error },
        );
        for (const waiting of batch) waiting.reject(problem);
      }
    }
  }

  private async commit(records: DecisionRecord[]): Promise<void> {
    const producer = await this.connected();
    const byTopic = new Map<string, Message[]>();
    for (const record of records) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({ key: record.key, value: record.value, timestamp: String(record.timestampMs) });
      byTopic.set(record.topic, messages);
    }
    const transaction = await producer.transaction();
    try {
      await transaction.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      // A producer whose transaction failed may be unusable (fenced, timed out): start the next one afresh.
      await producer.disconnect().catch(() => undefined);
      this.producer = null;
      throw error;
    }
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    const producer = this.kafka.producer({
      transactionalId: this.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }
}
