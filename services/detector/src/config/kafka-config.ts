// Kafka: brokers, topics, the consumer group, transactions, and the connection's security.
import { z } from 'zod';
import { csv, duration, flag, positiveInt, readableFile, secretOf, topicName } from './env-values.js';

export const kafkaEnv = {
  KAFKA_BROKERS: csv
    .pipe(z.array(z.string().regex(/^[^:]+:\d+$/, 'must be host:port')).min(1))
    .default(['127.0.0.1:9092']),
  KAFKA_CLIENT_ID: z.string().min(1).default('flowguard-detector'),
  KAFKA_GROUP_ID: z.string().min(1).default('flowguard-detector'),
  /** Transactional ids are "<prefix>.<topic>.<partition>" (one per input partition, for fencing). */
  KAFKA_TRANSACTIONAL_ID_PREFIX: z.string().min(1).optional(),
  INPUT_TOPIC: topicName.default('payments.transactions'),
  ALERTS_TOPIC: topicName.default('payments.alerts'),
  DEAD_LETTER_TOPIC: topicName.default('payments.transactions.dlq'),
  AUDIT_TOPIC: topicName.default('flowguard.audit'),
  MENTIONS_TOPIC: topicName.default('intel.wallet-mentions'),
  /**
   * How long the group waits for a member that stopped heartbeating (killed, hung, cut off) before
   * its partitions go to the others: the bound of a crashed instance's outage. The broker allows
   * 6 s to 30 min by default.
   */
  KAFKA_SESSION_TIMEOUT: duration.prefault('30s'),
  TOPIC_PARTITIONS: positiveInt.default(3),
  /** retention.ms of the audit topic when FlowGuard creates it; -1 keeps it forever. */
  AUDIT_RETENTION_MS: z.coerce.number().int().min(-1).default(-1),
  /** The broker's message.max.bytes: every record FlowGuard produces stays under it. */
  KAFKA_MAX_MESSAGE_BYTES: positiveInt.default(1_048_576),
  /**
   * The most a fetch brings of one partition, and of all together (kafkajs's own are 1 MiB and
   * 10 MiB). A chunk is at most one fetched batch, and a consumer behind its partition spends less per
   * event in larger chunks: 4 MiB with BATCH_CHUNK_SIZE 20,000 took ×0.85–0.89 of the detector's CPU
   * per event (docs/bench/README.md). A caught-up consumer's fetches are small whatever these say;
   * the fetched bytes and the chunk's decoded records (~1 KB an event, ~14,000 events a chunk) are
   * what these bound in memory.
   */
  KAFKA_FETCH_PARTITION_BYTES: positiveInt.default(4_194_304),
  KAFKA_FETCH_BYTES: positiveInt.default(16_777_216),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD_FILE: readableFile.optional(),
  KAFKA_TLS: flag.default(false),
  KAFKA_TLS_CA_FILE: readableFile.optional(),
  KAFKA_TLS_CERT_FILE: readableFile.optional(),
  KAFKA_TLS_KEY_FILE: readableFile.optional(),
};

type KafkaEnv = z.output<z.ZodObject<typeof kafkaEnv>>;

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  groupId: string;
  sessionTimeoutMs: number;
  transactionalIdPrefix: string;
  inputTopic: string;
  alertsTopic: string;
  deadLetterTopic: string;
  auditTopic: string;
  mentionsTopic: string;
  topicPartitions: number;
  auditRetentionMs: number;
  maxMessageBytes: number;
  /** A fetch's bounds: of one partition, and of all (kafkajs's maxBytesPerPartition and maxBytes). */
  fetch: { partitionBytes: number; totalBytes: number };
  sasl: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string } | null;
  tls: { ca: string | undefined; cert: string | undefined; key: string | undefined } | null;
}

export function buildKafkaConfig(
  e: KafkaEnv,
  fail: (variable: string, message: string) => never,
): KafkaConfig {
  let sasl: KafkaConfig['sasl'] = null;
  if (e.KAFKA_SASL_MECHANISM) {
    const password = secretOf(e.KAFKA_SASL_PASSWORD, e.KAFKA_SASL_PASSWORD_FILE);
    if (!e.KAFKA_SASL_USERNAME) fail('KAFKA_SASL_USERNAME', 'required with KAFKA_SASL_MECHANISM');
    if (!password)
      fail('KAFKA_SASL_PASSWORD', 'required with KAFKA_SASL_MECHANISM (or KAFKA_SASL_PASSWORD_FILE)');
    sasl = { mechanism: e.KAFKA_SASL_MECHANISM, username: e.KAFKA_SASL_USERNAME!, password: password! };
  }
  if (e.KAFKA_FETCH_PARTITION_BYTES > e.KAFKA_FETCH_BYTES)
    fail('KAFKA_FETCH_PARTITION_BYTES', 'must not exceed KAFKA_FETCH_BYTES');
  return {
    brokers: e.KAFKA_BROKERS,
    clientId: e.KAFKA_CLIENT_ID,
    groupId: e.KAFKA_GROUP_ID,
    sessionTimeoutMs: e.KAFKA_SESSION_TIMEOUT,
    transactionalIdPrefix: e.KAFKA_TRANSACTIONAL_ID_PREFIX ?? e.KAFKA_GROUP_ID,
    inputTopic: e.INPUT_TOPIC,
    alertsTopic: e.ALERTS_TOPIC,
    deadLetterTopic: e.DEAD_LETTER_TOPIC,
    auditTopic: e.AUDIT_TOPIC,
    mentionsTopic: e.MENTIONS_TOPIC,
    topicPartitions: e.TOPIC_PARTITIONS,
    auditRetentionMs: e.AUDIT_RETENTION_MS,
    maxMessageBytes: e.KAFKA_MAX_MESSAGE_BYTES,
    fetch: { partitionBytes: e.KAFKA_FETCH_PARTITION_BYTES, totalBytes: e.KAFKA_FETCH_BYTES },
    sasl,
    tls: e.KAFKA_TLS
      ? { ca: e.KAFKA_TLS_CA_FILE, cert: e.KAFKA_TLS_CERT_FILE, key: e.KAFKA_TLS_KEY_FILE }
      : null,
  };
}
