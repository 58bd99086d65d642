// Sends scenario events to a Kafka topic in acknowledged batches (acks=all), optionally paced by a
// token bucket, and reports the wall time each batch was handed to Kafka.
import type { Admin, Producer } from 'kafkajs';
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import { readStackEnv } from '../../../scripts/dev/local-stack-env.js';
import { messageKey } from './scenario-builder.js';
import { createTopicsAndWait } from '../../detector/src/kafka/topics.js';

export const DEFAULT_BROKERS = '127.0.0.1:9092';

/** KAFKA_BROKERS from the environment, else from .stack/env, else the stack's default port. */
export function resolveBrokers(env: NodeJS.ProcessEnv, stackEnvFile?: string): string[] {
  const stack = readStackEnv(stackEnvFile);
  const text = env.KAFKA_BROKERS || stack.KAFKA_BROKERS || DEFAULT_BROKERS;
  return text
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

/** Creates the topic when it is missing (the detector creates its own the same way). */
export async function ensureTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  if ((await admin.listTopics()).includes(topic)) return;
  await createTopicsAndWait(admin, [{ topic, numPartitions: partitions, replicationFactor: -1 }]);
}

/** Lets `rate` events a second through on average; a burst may borrow and then waits it off. */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }

  async take(count: number): Promise<void> {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    this.tokens -= count;
    if (this.tokens < 0) await sleep((-this.tokens / this.rate) * 1000);
  }
}

export interface ProduceOptions {
  topic: string;
  /** Events per second; 0 sends as fast as the broker acknowledges. */
  rate: number;
  batchSize: number;
  /** Called with each batch and the wall time (epoch ms) just before it was sent. */
  onBatch?: (events: TransactionEventInput[], sentAtMs: number) => void;
}

export async function produceEvents(
  producer: Producer,
  events: TransactionEventInput[],
  options: ProduceOptions,
): Promise<void> {
  // With a rate, batches stay small enough to send about ten a second, so the pace is smooth.
  const batchSize =
    options.rate > 0
      ? Math.max(1, Math.min(options.batchSize, Math.round(options.rate / 10)))
      : options.batchSize;
  const bucket = options.rate > 0 ? new TokenBucket(options.rate, batchSize) : undefined;
  for (let from = 0; from < events.length; from += batchSize) {
    const batch = events.slice(from, from + batchSize);
    await bucket?.take(batch.length);
    const sentAtMs = Date.now();
    options.onBatch?.(batch, sentAtMs);
    await producer.send({
      topic: options.topic,
      acks: -1,
      messages: batch.map((event) => ({ key: messageKey(event), value: JSON.stringify(event) })),
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
