// The yardsticks: a plain kafkajs consumer with the detector's fetch settings (1 MB per partition,
// 100 ms max wait, all partitions at once) that only hands each message to `handle` — JSON.parse, or
// FlowGuard's own decoder — in this process, so the ratio of FlowGuard to them is FlowGuard's own cost.
import type { Kafka, KafkaMessage } from 'kafkajs';
import { loadConfig } from '../../detector/src/config/index.js';
import { CurrencyConverter } from '../../detector/src/domain/money.js';
import { decodeRecord } from '../../detector/src/pipeline/decode-record.js';

export interface ThroughputResult {
  events: number;
  /** Events per second from the end of the first batch to the last event, the first batch excluded. */
  eventsPerSec: number;
  /** CPU of this process per event over the same interval, µs. */
  cpuMicrosPerEvent: number;
}

/** Returns whether the message was understood; a yardstick that understands none is broken. */
export type MessageHandler = (message: KafkaMessage, topic: string, partition: number) => boolean;

export const parseJson: MessageHandler = (message) => {
  const event = JSON.parse(message.value!.toString('utf8')) as Record<string, unknown>;
  return typeof event.eventId === 'string';
};

/** FlowGuard's decoder (size, depth, JSON, contract, money, times) with the detector's default config. */
export function flowGuardDecode(endpoints: { kafkaBrokers: string[]; redisUrl: string }): MessageHandler {
  const config = loadConfig({
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    REDIS_URL: endpoints.redisUrl,
  });
  const ctx = {
    ingest: config.ingest,
    features: config.features,
    converter: new CurrencyConverter(config.features.base, config.features.fxRates),
    nowMs: Date.now(),
  };
  return (message, topic, partition) => {
    ctx.nowMs = Date.now();
    const source = {
      topic,
      partition,
      offset: Number(message.offset),
      timestampMs: Number(message.timestamp),
      streamKey: `bench/${partition}`,
    };
    return decodeRecord({ value: message.value, source }, ctx).ok;
  };
}

export async function measureConsumer(
  kafka: Kafka,
  topic: string,
  groupId: string,
  partitions: number,
  total: number,
  handle: MessageHandler,
): Promise<ThroughputResult> {
  const consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: 1_048_576,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  let read = 0;
  let understood = 0;
  let first: { at: number; events: number; cpu: NodeJS.CpuUsage } | undefined;
  let finish: (at: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages)
        if (handle(message, batch.topic, batch.partition)) understood += 1;
      read += batch.messages.length;
      const now = performance.now();
      first ??= { at: now, events: read, cpu: process.cpuUsage() };
      if (read >= total) finish(now);
    },
  });
  const finishedAt = await done;
  const cpu = process.cpuUsage(first!.cpu);
  await consumer.disconnect();
  if (understood !== read) throw new Error(`the consumer understood ${understood} of ${read} events`);
  const events = total - first!.events;
  const seconds = (finishedAt - first!.at) / 1000;
  return {
    events: total,
    eventsPerSec: seconds > 0 ? events / seconds : Infinity,
    cpuMicrosPerEvent: events > 0 ? (cpu.user + cpu.system) / events : 0,
  };
}
