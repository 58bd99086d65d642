// FlowGuard's Kafka client against the real broker, configured the way the detector is (loadConfig):
// over the SASL/SCRAM listener with the stack's user, over SCRAM with TLS, over the plaintext listener
// without credentials, and with a wrong password, which must fail at once with a clear code.
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type KafkaConfig } from '../../../services/detector/src/config/index.js';
import { isFlowGuardError } from '../../../services/detector/src/errors.js';
import { createKafka, verifyKafkaAccess } from '../../../services/detector/src/kafka/kafka-client.js';
import { kafkaEnv, kafkaSasl, requireEndpoint } from '../../support/clients.js';
import { testNames } from '../../support/test-detector.js';
import { makeTestCertificates } from '../../support/tls-certs.js';
import { createTopicsAndWait } from '../../../services/detector/src/kafka/topics.js';

const logger = pino({ level: 'silent' });
const topicsToDelete: { config: KafkaConfig; topic: string }[] = [];

function kafkaConfig(env: Record<string, string>): KafkaConfig {
  return loadConfig({ REDIS_URL: 'redis://127.0.0.1:1', ...env }).kafka;
}

/** Creates a topic, produces one record and reads it back, all with FlowGuard's client. */
async function roundTrip(config: KafkaConfig): Promise<string> {
  const kafka = createKafka(config, logger, 'flowguard-tests');
  const topic = testNames().env.INPUT_TOPIC;
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
  await admin.disconnect();
  topicsToDelete.push({ config, topic });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: `hello over ${topic}` }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const value = await new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(message.value?.toString() ?? '') });
  });
  await consumer.disconnect();
  return value;
}

afterAll(async () => {
  for (const { config, topic } of topicsToDelete) {
    const admin = createKafka(config, logger).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
});

describe.skipIf(!kafkaSasl())('Kafka over SASL/SCRAM', () => {
  it('produces and consumes as the configured user', async () => {
    const config = kafkaConfig(kafkaEnv());
    expect(config.sasl?.mechanism).toBe(kafkaSasl()!.mechanism);
    await verifyKafkaAccess(createKafka(config, logger), config);
    expect(await roundTrip(config)).toMatch(/^hello over /);
  });

  it('fails at once with FG_KAFKA_AUTH_FAILED on a wrong password', async () => {
    const config = kafkaConfig({ ...kafkaEnv(), KAFKA_SASL_PASSWORD: 'not-the-password' });
    const started = Date.now();
    const error = await verifyKafkaAccess(createKafka(config, logger), config).catch((e: unknown) => e);
    expect(isFlowGuardError(error, 'FG_KAFKA_AUTH_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(
      /refused user 'flowguard' \(scram-sha-256\).*invalid credentials/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('names the missing credentials when a client without SASL reaches the SASL listener', async () => {
    const config = kafkaConfig({ KAFKA_BROKERS: kafkaSasl()!.brokers });
    const error = await verifyKafkaAccess(createKafka(config, logger), config, 5000).catch((e: unknown) => e);
    expect(isFlowGuardError(error, 'FG_KAFKA_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toMatch(/check KAFKA_SASL_\*/);
  });
});

describe.skipIf(!kafkaSasl()?.tls)('Kafka over TLS with SASL/SCRAM', () => {
  const tlsEnv = () => ({
    ...kafkaEnv(),
    KAFKA_BROKERS: kafkaSasl()!.tls!.brokers,
    KAFKA_TLS: 'true',
    KAFKA_TLS_CA_FILE: kafkaSasl()!.tls!.caFile,
  });

  it('produces and consumes, trusting the configured CA', async () => {
    const config = kafkaConfig(tlsEnv());
    expect(config.tls?.ca).toBe(kafkaSasl()!.tls!.caFile);
    await verifyKafkaAccess(createKafka(config, logger), config);
    expect(await roundTrip(config)).toMatch(/^hello over /);
  });

  it('does not talk to a broker whose certificate another CA signed', async () => {
    const otherCa = makeTestCertificates();
    try {
      const config = kafkaConfig({ ...tlsEnv(), KAFKA_TLS_CA_FILE: otherCa.ca });
      const error = await verifyKafkaAccess(createKafka(config, logger), config, 3000).catch(
        (e: unknown) => e,
      );
      expect(isFlowGuardError(error, 'FG_KAFKA_UNAVAILABLE')).toBe(true);
    } finally {
      otherCa.remove();
    }
  });
});

describe('Kafka over the plaintext listener (no credentials)', () => {
  it('produces and consumes', async () => {
    const config = kafkaConfig({ KAFKA_BROKERS: requireEndpoint('kafkaBrokers') });
    expect(config.sasl).toBeNull();
    await verifyKafkaAccess(createKafka(config, logger), config);
    expect(await roundTrip(config)).toMatch(/^hello over /);
  });
});
