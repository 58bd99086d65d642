// Creates the topics FlowGuard reads and writes when they are missing; existing topics are left as
// they are (their partitions and settings belong to whoever created them).
import type { Admin, ITopicConfig } from 'kafkajs';
import type { KafkaConfig } from '../config/index.js';
import { FlowGuardError } from '../errors.js';

const LEADER_WAIT_MS = 30_000;
/** What the broker answers about a topic it created a moment ago and has not yet given leaders. */
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/** The topics FlowGuard would create, with their settings. */
export function topicSpecs(config: KafkaConfig): ITopicConfig[] {
  const spec = (topic: string, settings: Record<string, string> = {}): ITopicConfig => ({
    topic,
    numPartitions: config.topicPartitions,
    replicationFactor: -1,
    configEntries: Object.entries(settings).map(([name, value]) => ({ name, value })),
  });
  // Outputs are capped at what FlowGuard itself keeps every record under (dead letters are bounded).
  const outputLimit = { 'max.message.bytes': String(config.maxMessageBytes) };
  return [
    spec(config.inputTopic),
    spec(config.alertsTopic, outputLimit),
    spec(config.deadLetterTopic, outputLimit),
    spec(config.auditTopic, { 'retention.ms': String(config.auditRetentionMs) }),
    spec(config.mentionsTopic),
  ];
}

/** Creates the missing topics and waits for their leaders; returns the names it created. */
export async function ensureTopics(admin: Admin, config: KafkaConfig): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topicSpecs(config).filter((t) => !existing.has(t.topic));
  if (!missing.length) return [];
  // Another instance creating them in the meantime is as good.
  await createTopicsAndWait(admin, missing);
  return missing.map((t) => t.topic);
}

/**
 * Creates topics and waits until each has leaders, riding out the moment a KRaft broker answers
 * UNKNOWN_TOPIC_OR_PARTITION for a topic it just created (kafkajs's own `waitForLeaders: true` throws
 * there). Topics that already exist are left as they are.
 */
export async function createTopicsAndWait(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  await admin.createTopics({ waitForLeaders: false, topics });
  await waitForLeaders(
    admin,
    topics.map((t) => t.topic),
  );
}

/**
 * Waits until every partition of the topics has a leader. kafkajs's own wait (waitForLeaders) gives
 * up on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker answers for a moment after creating a topic.
 */
export async function waitForLeaders(
  admin: Admin,
  topics: string[],
  timeoutMs = LEADER_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const led = metadata.topics.filter(
        (t) => t.partitions.length && t.partitions.every((p) => p.leader >= 0),
      );
      if (led.length === topics.length) return;
    } catch (error) {
      if (!NOT_YET.has(errorType(error))) throw error;
    }
    if (Date.now() > deadline) {
      throw new FlowGuardError(
        'FG_KAFKA_UNAVAILABLE',
        `Kafka created ${topics.join(', ')} but gave them no leader within ${timeoutMs / 1000} s`,
        { retryable: true },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function errorType(error: unknown): string {
  const e = error as { type?: unknown; cause?: { type?: unknown } };
  return String(e.type ?? e.cause?.type);
}
