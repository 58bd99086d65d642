// An API index starts while a member killed with -9 still holds its consumer group: start() does not
// wait for that member's session to expire (the app's plugins must start within 10 s), and the index
// fills once the broker has dropped the dead member.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { TopicMaterializer } from '../../../services/detector/src/api/indexes/topic-materializer.js';
import { createLogger } from '../../../services/detector/src/logger.js';
import { kafkaEnv, testKafka, testRedis } from '../../support/clients.js';
import { deleteKeys, testNames, waitFor } from '../../support/test-detector.js';
import { createTopicsAndWait } from '../../../services/detector/src/kafka/topics.js';

const DEAD_MEMBER_SESSION_MS = 12_000;

describe('topic materializer', () => {
  const { run, env } = testNames();
  const topic = env.INPUT_TOPIC;
  const kafka = testKafka();
  const admin = kafka.admin();
  const redis = testRedis();
  const epochKey = `${env.REDIS_KEY_PREFIX}:{alerts}:epoch`;
  const groupPrefix = `t-${run}.api`;
  let materializer: TopicMaterializer | null = null;

  afterAll(async () => {
    await materializer?.stop();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await deleteKeys(redis, `${env.REDIS_KEY_PREFIX}:*`);
    redis.disconnect();
  });

  it('starts at once while a killed member holds its group, and indexes after that member expires', async () => {
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: ['a', 'b', 'c'].map((value) => ({ value })) });
    await producer.disconnect();
    await redis.set(epochKey, 'e1');

    // A member of the index's group in another process, killed without leaving the group.
    const member = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { Kafka, logLevel } from 'kafkajs';
         const e = process.env;
         const kafka = new Kafka({ brokers: e.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING,
           ...(e.KAFKA_SASL_MECHANISM ? { sasl: { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME, password: e.KAFKA_SASL_PASSWORD } } : {}) });
         const consumer = kafka.consumer({ groupId: e.GROUP, sessionTimeout: Number(e.SESSION_MS) });
         consumer.on(consumer.events.GROUP_JOIN, () => console.log('joined'));
         await consumer.connect();
         await consumer.subscribe({ topic: e.TOPIC });
         await consumer.run({ eachMessage: async () => new Promise(() => {}) });`,
      ],
      {
        env: {
          ...process.env,
          ...kafkaEnv(),
          GROUP: `${groupPrefix}.alert-index.e1`,
          TOPIC: topic,
          SESSION_MS: String(DEAD_MEMBER_SESSION_MS),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    member.stdout!.on('data', (chunk) => (output += chunk));
    await waitFor(() => output.includes('joined'), 30_000);
    member.kill('SIGKILL');

    const applied: string[] = [];
    materializer = new TopicMaterializer({
      name: 'alert-index',
      kafka,
      redis,
      logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      topics: [topic],
      epochKey,
      groupPrefix,
      epochCheckMs: 1_000,
      apply: async (batch) => void applied.push(...batch.messages.map((m) => m.value!.toString())),
    });
    const started = Date.now();
    await materializer.start();
    expect(Date.now() - started).toBeLessThan(DEAD_MEMBER_SESSION_MS / 2);
    expect(materializer.status().state).toBe('joining');

    await waitFor(() => applied.length === 3, 2 * DEAD_MEMBER_SESSION_MS + 10_000);
    expect(applied).toEqual(['a', 'b', 'c']);
    expect(materializer.status().state).toBe('running');
  }, 60_000);
});
