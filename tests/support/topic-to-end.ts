// Reads a topic from its start to its end as it stands at the call, with a fresh read_committed
// consumer: after the detector has caught up, every alert it published is in the result, so a test
// can assert that an alert did NOT come without sleeping to wait for it.
import type { Admin, Kafka } from 'kafkajs';
import { waitFor } from './test-detector.js';

export interface TopicRecord {
  partition: number;
  key: string | null;
  value: string;
}

let readers = 0;

export async function readTopicToEnd(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  timeoutMs = 30_000,
): Promise<TopicRecord[]> {
  const ends = await admin.fetchTopicOffsets(topic);
  if (ends.every((e) => e.high === '0')) return [];
  readers += 1;
  const groupId = `to-end-${topic}-${process.pid}-${readers}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
  const records: TopicRecord[] = [];
  // Where the reader is, counting what read_committed skips (transaction markers, aborted records).
  const position = new Map<number, bigint>();
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    position.set(payload.partition, BigInt(payload.lastOffset) + 1n);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          records.push({
            partition: batch.partition,
            key: m.key?.toString() ?? null,
            value: m.value?.toString() ?? '',
          });
        }
      },
    });
    await waitFor(() => ends.every((e) => (position.get(e.partition) ?? 0n) >= BigInt(e.high)), timeoutMs);
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  return records;
}
