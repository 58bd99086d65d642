// The one place tests build Kafka and Redis clients and the connection environment they hand to
// loadConfig: over the stack's SASL listener and Redis ACL user when the global setup found them (npm
// test on the local stack), plaintext and the default user otherwise. See tests/support/README.md.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { inject } from 'vitest';
import type { KafkaSaslEndpoint, RedisAclUser } from './global-setup.js';

/** The real endpoint the global setup found, or a failure that says how to get one. */
export function requireEndpoint(name: 'kafkaBrokers' | 'redisUrl' | 'redisClusterNodes'): string {
  const value = inject(name);
  if (!value) {
    throw new Error(
      `No ${name} for the integration tests: run them with \`npm test\` (it starts the local stack), or set KAFKA_BROKERS, REDIS_URL and REDIS_CLUSTER_NODES.`,
    );
  }
  return value;
}

/** The SASL listener and its user, or null when the suite runs in plaintext. */
export function kafkaSasl(): KafkaSaslEndpoint | null {
  return inject('kafkaSasl') ?? null;
}

/** The Redis ACL user, or null when the suite runs as the default user. */
export function redisAcl(): RedisAclUser | null {
  return inject('redisAcl') ?? null;
}

/** The brokers the suite's clients use: the SASL listener when there is one. */
export function testKafkaBrokers(): string[] {
  return (kafkaSasl()?.brokers ?? requireEndpoint('kafkaBrokers')).split(',');
}

/** A Kafka client for the test itself (producers, readers, admin), authenticated when the suite is. */
export function testKafka(clientId = 'flowguard-tests'): Kafka {
  const sasl = kafkaSasl();
  return new Kafka({
    clientId,
    brokers: testKafkaBrokers(),
    logLevel: logLevel.NOTHING,
    ...(sasl
      ? {
          sasl: {
            mechanism: sasl.mechanism,
            username: sasl.username,
            password: sasl.password,
          } as SASLOptions,
        }
      : {}),
  });
}

/** A client of the plaintext listener, for the tests that keep the unauthenticated path covered. */
export function plaintextKafka(clientId = 'flowguard-tests-plaintext'): Kafka {
  return new Kafka({
    clientId,
    brokers: requireEndpoint('kafkaBrokers').split(','),
    logLevel: logLevel.NOTHING,
  });
}

function aclOptions(): RedisOptions {
  const acl = redisAcl();
  return acl ? { username: acl.username, password: acl.password } : {};
}

/** The standalone Redis as FlowGuard's user. Close it with quit() or disconnect(). */
export function testRedis(options: RedisOptions = {}): Redis {
  return new Redis(requireEndpoint('redisUrl'), { maxRetriesPerRequest: 3, ...aclOptions(), ...options });
}

/** The Redis Cluster as FlowGuard's user. */
export function testRedisCluster(): Cluster {
  const nodes = requireEndpoint('redisClusterNodes')
    .split(',')
    .map((node) => {
      const [host, port] = node.split(':');
      return { host: host!, port: Number(port) };
    });
  return new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 3, ...aclOptions() } });
}

/**
 * A Redis node as the default user: the stack's administration (restarts, ACL DRYRUN), which
 * FlowGuard's user may not do. Defaults to the standalone Redis.
 */
export function adminRedis(node?: { host: string; port: number }): Redis {
  const client = node
    ? new Redis({ host: node.host, port: node.port, maxRetriesPerRequest: 3 })
    : new Redis(requireEndpoint('redisUrl'), { maxRetriesPerRequest: 3 });
  // Restarts make these connections drop; the tests assert on commands, not on connection events.
  client.on('error', () => undefined);
  return client;
}

/** Kafka variables for loadConfig: brokers, and the SASL user when the suite authenticates. */
export function kafkaEnv(): Record<string, string> {
  const sasl = kafkaSasl();
  const env: Record<string, string> = { KAFKA_BROKERS: testKafkaBrokers().join(',') };
  if (sasl) {
    env.KAFKA_SASL_MECHANISM = sasl.mechanism;
    env.KAFKA_SASL_USERNAME = sasl.username;
    env.KAFKA_SASL_PASSWORD = sasl.password;
  }
  return env;
}

/** Redis variables for loadConfig: the standalone URL (or the cluster), and the ACL user. */
export function redisEnv(options: { cluster?: boolean } = {}): Record<string, string> {
  const acl = redisAcl();
  const env: Record<string, string> = { REDIS_URL: requireEndpoint('redisUrl') };
  if (options.cluster) env.REDIS_CLUSTER_NODES = requireEndpoint('redisClusterNodes');
  if (acl) {
    env.REDIS_USERNAME = acl.username;
    env.REDIS_PASSWORD = acl.password;
  }
  return env;
}

/** Every connection variable loadConfig needs, consistent with testKafka() and testRedis(). */
export function connectionEnv(options: { cluster?: boolean } = {}): Record<string, string> {
  return { ...kafkaEnv(), ...redisEnv(options) };
}
