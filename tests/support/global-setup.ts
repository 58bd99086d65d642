// Finds the real Kafka and Redis the tests run against: endpoints from the environment, else the
// local stack's .stack/env (scripts/test.sh starts the stack), else, where a Docker engine exists,
// testcontainers. Credentials travel with their endpoint: the SASL listener and the Redis ACL user
// are used when the same source that named the endpoint names them (tests/support/clients.ts).
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { readStackEnv } from '../../scripts/dev/local-stack-env.js';

type Stop = () => Promise<void>;
const stops: Stop[] = [];

export interface KafkaSaslEndpoint {
  brokers: string;
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
  /** The same user on a SASL_SSL listener, and the CA that signed its certificate (when there is one). */
  tls: { brokers: string; caFile: string } | null;
}

export interface RedisAclUser {
  username: string;
  password: string;
}

function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

function saslOf(source: Record<string, string | undefined>): KafkaSaslEndpoint | null {
  const { KAFKA_SASL_BROKERS, KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD } = source;
  if (!KAFKA_SASL_BROKERS || !KAFKA_SASL_MECHANISM || !KAFKA_SASL_USERNAME || !KAFKA_SASL_PASSWORD)
    return null;
  return {
    brokers: KAFKA_SASL_BROKERS,
    mechanism: KAFKA_SASL_MECHANISM as KafkaSaslEndpoint['mechanism'],
    username: KAFKA_SASL_USERNAME,
    password: KAFKA_SASL_PASSWORD,
    tls:
      source.KAFKA_SASL_SSL_BROKERS && source.KAFKA_SASL_SSL_CA_FILE
        ? { brokers: source.KAFKA_SASL_SSL_BROKERS, caFile: source.KAFKA_SASL_SSL_CA_FILE }
        : null,
  };
}

function aclOf(source: Record<string, string | undefined>): RedisAclUser | null {
  const { REDIS_USERNAME, REDIS_PASSWORD } = source;
  return REDIS_USERNAME && REDIS_PASSWORD ? { username: REDIS_USERNAME, password: REDIS_PASSWORD } : null;
}

export async function setup(project: TestProject): Promise<void> {
  const stack = readStackEnv();
  const kafkaSource = process.env.KAFKA_BROKERS ? process.env : stack;
  const redisSource = process.env.REDIS_URL ? process.env : stack;
  let kafka = kafkaSource.KAFKA_BROKERS;
  let redis = redisSource.REDIS_URL;
  const cluster = process.env.REDIS_CLUSTER_NODES ?? stack.REDIS_CLUSTER_NODES ?? '';
  let kafkaSasl = saslOf(kafkaSource);
  let redisAcl = aclOf(redisSource);

  if ((!kafka || !redis) && dockerAvailable()) {
    const { GenericContainer } = await import('testcontainers');
    const { KafkaContainer } = await import('@testcontainers/kafka');
    const k = await new KafkaContainer('confluentinc/cp-kafka:7.6.1')
      .withKraft()
      .withExposedPorts(9093)
      .start();
    const r = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
    kafka = `${k.getHost()}:${k.getMappedPort(9093)}`;
    redis = `redis://${r.getHost()}:${r.getMappedPort(6379)}`;
    kafkaSasl = null;
    redisAcl = null;
    stops.push(
      async () => void (await k.stop()),
      async () => void (await r.stop()),
    );
  }
  // Unit tests need neither; integration tests fail with a reason through requireEndpoint().
  project.provide('kafkaBrokers', kafka ?? '');
  project.provide('redisUrl', redis ?? '');
  project.provide('redisClusterNodes', cluster);
  project.provide('kafkaSasl', kafkaSasl);
  project.provide('redisAcl', redisAcl);
  console.log(
    `tests: Kafka ${kafkaSasl ? `${kafkaSasl.brokers} (SASL ${kafkaSasl.mechanism}, user ${kafkaSasl.username}${kafkaSasl.tls ? `; TLS on ${kafkaSasl.tls.brokers}` : ''})` : `${kafka || 'none'} (plaintext)`}; ` +
      `Redis ${redis || 'none'} (${redisAcl ? `ACL user ${redisAcl.username}` : 'default user'})`,
  );
}

export async function teardown(): Promise<void> {
  for (const stop of stops) await stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The plaintext listener (always named when there is a broker). */
    kafkaBrokers: string;
    redisUrl: string;
    redisClusterNodes: string;
    /** The SASL listener and its user, when the endpoint's source names them. */
    kafkaSasl: KafkaSaslEndpoint | null;
    /** The Redis ACL user (standalone and cluster), when the endpoint's source names it. */
    redisAcl: RedisAclUser | null;
  }
}
