// Creates the topics FlowGuard reads and writes when they are missing; existing topics are left as
// they are (their partitions and settings belong to whoever created them).
import type { Admin, ITopicConfig } from 'kafkajs';
import type { KafkaConfig } from '../config/index.js';

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
  // false means another instance created them in the meantime, which is as good.
  await admin.createTopics({ waitForLeaders: true, topics: missing });
  return missing.map((t) => t.topic);
}
