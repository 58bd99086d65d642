// The yardstick: a plain kafkajs consumer that only reads and JSON-parses every message of the topic,
// with the detector's fetch settings, so the ratio to it is FlowGuard's own cost.
import type { Kafka } from 'kafkajs';

export interface ThroughputResult {
  events: number;
  /** Events per second from the end of the first batch to the last event, the first batch excluded. */
  eventsPerSec: number;
  /** Seconds from asking to consume to the last event, group join included. */
  wallSeconds: number;
}

export async function measureBaseline(
  kafka: Kafka,
  topic: string,
  groupId: string,
  partitions: number,
  total: number,
): Promise<ThroughputResult> {
  const consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: 1_048_576,
    maxWaitTimeInMs: 50,
    allowAutoTopicCreation: false,
  });
  const started = performance.now();
  let read = 0;
  let parsedFields = 0;
  let first: { at: number; events: number } | undefined;
  let finish: (at: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: partitions,
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const event = JSON.parse(message.value!.toString('utf8')) as Record<string, unknown>;
        if (event.eventId) parsedFields += 1;
      }
      read += batch.messages.length;
      const now = performance.now();
      first ??= { at: now, events: read };
      if (read >= total) finish(now);
    },
  });
  const finishedAt = await done;
  await consumer.disconnect();
  if (parsedFields !== read) throw new Error(`baseline parsed ${parsedFields} of ${read} events`);
  return throughputOf(total, first!, finishedAt, started);
}

export function throughputOf(
  total: number,
  first: { at: number; events: number },
  finishedAt: number,
  startedAt: number,
): ThroughputResult {
  const seconds = (finishedAt - first.at) / 1000;
  return {
    events: total,
    eventsPerSec: seconds > 0 ? (total - first.events) / seconds : Infinity,
    wallSeconds: (finishedAt - startedAt) / 1000,
  };
}
