// The bench's own Kafka plumbing: topics, a fast backlog producer, and reading a group's progress.
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import type { GeneratedMessage } from './event-generator.js';
import { createTopicsAndWait } from '../../detector/src/kafka/topics.js';

export function createBenchKafka(brokers: string[], clientId: string): Kafka {
  // Silent: failures surface as rejected sends and fetches; an interrupted run would otherwise log
  // every in-flight send to a topic the cleanup just deleted.
  return new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, retry: { retries: 8 } });
}

export async function createTopics(admin: Admin, topics: string[], partitions: number): Promise<void> {
  await createTopicsAndWait(
    admin,
    topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
  );
}

/** Kafka's default message.max.bytes is ~1 MB per record batch; stay well under it per partition. */
const CHUNK_BYTES = 600_000;
const IN_FLIGHT = 8;

export interface ProduceResult {
  events: number;
  seconds: number;
}

/** Produces everything `nextChunk` yields, in big batches with several in flight, acks=all. */
export async function produceAll(
  producer: Producer,
  topic: string,
  nextChunk: () => GeneratedMessage[],
): Promise<ProduceResult> {
  const started = performance.now();
  const inFlight = new Set<Promise<unknown>>();
  let events = 0;
  let pending: GeneratedMessage[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    const messages = pending;
    pending = [];
    pendingBytes = 0;
    const sent = producer.send({ topic, acks: -1, messages });
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent)).catch(() => undefined);
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  };
  for (let chunk = nextChunk(); chunk.length; chunk = nextChunk()) {
    for (const message of chunk) {
      pending.push(message);
      pendingBytes += message.value.length + message.key.length + 70;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    events += chunk.length;
  }
  if (pending.length) await flush();
  await Promise.all(inFlight);
  return { events, seconds: (performance.now() - started) / 1000 };
}

/** Messages on the topic (fresh topics start at offset 0, so the high watermarks sum to the count). */
export async function topicMessageCount(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
}

/**
 * Offsets the group committed on the topic, summed over partitions (an uncommitted one counts 0). A
 * retriable refusal (a fresh broker still electing the group's coordinator) counts as nothing yet.
 */
export async function committedCount(admin: Admin, groupId: string, topic: string): Promise<number> {
  return (await committedByPartition(admin, groupId, topic)).reduce((sum, offset) => sum + offset, 0);
}

/** Offsets the group committed on each partition of the topic (0: none yet), as committedCount reads them. */
export async function committedByPartition(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (entry?.partitions ?? []).map((p) => Math.max(0, Number(p.offset)));
  } catch (error) {
    if ((error as { retriable?: unknown }).retriable === true) return [];
    throw error;
  }
}

/** Waits until the group is Stable with `members` members (a joined consumer fetches from then on). */
export async function waitForGroup(
  admin: Admin,
  groupId: string,
  members: number,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    if (group?.state === 'Stable' && group.members.length === members) return;
    if (Date.now() > deadline) {
      throw new Error(
        `group ${groupId} not stable with ${members} members after ${timeoutMs} ms (${group?.state}, ${group?.members.length})`,
      );
    }
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
