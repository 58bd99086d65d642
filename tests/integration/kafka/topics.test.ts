// FlowGuard creates the topics it needs when they are missing, with the settings it relies on: outputs
// capped at the record limit it keeps under, and the audit topic's retention.
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/detector/src/config/index.js';
import { ensureTopics, topicSpecs, waitForLeaders } from '../../../services/detector/src/kafka/topics.js';
import { requireEndpoint, testNames } from '../../support/test-detector.js';

const { run, env } = testNames();
const config = loadConfig({
  KAFKA_BROKERS: requireEndpoint('kafkaBrokers'),
  REDIS_URL: requireEndpoint('redisUrl'),
  INPUT_TOPIC: env.INPUT_TOPIC,
  ALERTS_TOPIC: env.ALERTS_TOPIC,
  DEAD_LETTER_TOPIC: env.DEAD_LETTER_TOPIC,
  AUDIT_TOPIC: `t-${run}.audit`,
  MENTIONS_TOPIC: `t-${run}.mentions`,
  TOPIC_PARTITIONS: '2',
  KAFKA_MAX_MESSAGE_BYTES: '500000',
  AUDIT_RETENTION_MS: '-1',
}).kafka;
const kafka = new Kafka({ brokers: config.brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const names = topicSpecs(config).map((t) => t.topic);

afterAll(async () => {
  await admin.deleteTopics({ topics: names }).catch(() => undefined);
  await admin.disconnect();
});

describe('ensureTopics', () => {
  it('creates the missing topics with their settings, once', async () => {
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: config.inputTopic, numPartitions: 4 }],
      waitForLeaders: false,
    });
    await waitForLeaders(admin, [config.inputTopic]);

    expect((await ensureTopics(admin, config)).sort()).toEqual(
      names.filter((n) => n !== config.inputTopic).sort(),
    );
    expect(await ensureTopics(admin, config)).toEqual([]);

    const metadata = await admin.fetchTopicMetadata({ topics: names });
    const partitions = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
    // The existing input topic keeps its own partitions.
    expect(partitions).toEqual({
      [config.inputTopic]: 4,
      [config.alertsTopic]: 2,
      [config.deadLetterTopic]: 2,
      [config.auditTopic]: 2,
      [config.mentionsTopic]: 2,
    });
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [config.alertsTopic, config.deadLetterTopic, config.auditTopic].map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['max.message.bytes', 'retention.ms'],
      })),
    });
    const settings = Object.fromEntries(
      described.resources.map((r) => [
        r.resourceName,
        Object.fromEntries(
          r.configEntries.filter((e) => !e.isDefault).map((e) => [e.configName, e.configValue]),
        ),
      ]),
    );
    expect(settings).toEqual({
      [config.alertsTopic]: { 'max.message.bytes': '500000' },
      [config.deadLetterTopic]: { 'max.message.bytes': '500000' },
      [config.auditTopic]: { 'retention.ms': '-1' },
    });
  });
});
