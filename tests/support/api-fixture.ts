// Builds the API over the real test Kafka and Redis with its own topics, consumer groups, key prefix
// and key file (one key per role), and removes all of it afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { Cluster } from 'ioredis';
import { pino, type Logger } from 'pino';
import type { WalletStateRisk } from '../../schemas/wallet-risk.js';
import type { Scope } from '../../services/detector/src/api/auth/scopes.js';
import {
  createApiKey,
  writeApiKeyFile,
  type ApiKeyRecord,
} from '../../services/detector/src/api/auth/api-keys.js';
import { buildApi, type Readiness } from '../../services/detector/src/api/build-api.js';
import { DEFAULT_RULES_FILE, loadConfig, type Config } from '../../services/detector/src/config/index.js';
import { createKafka } from '../../services/detector/src/kafka/kafka-client.js';
import { createMetrics } from '../../services/detector/src/metrics.js';
import { createRedisClient, type RedisClient } from '../../services/detector/src/redis/redis-connection.js';
import { loadRuleCatalog, type RuleCatalog } from '../../services/detector/src/rules/rule-catalog.js';
import { deleteKeys, requireEndpoint, testNames } from './test-detector.js';
import { createTopicsAndWait } from '../../services/detector/src/kafka/topics.js';

export const ROLES = {
  reader: ['risk:read', 'alerts:read'],
  maker: ['flags:write', 'risk:read'],
  checker: ['flags:approve', 'risk:read'],
  checker2: ['flags:approve', 'flags:write'],
  watcher: ['watchlist:write', 'risk:read'],
  ingest: ['transactions:write'],
  all: ['risk:read', 'alerts:read', 'flags:write', 'flags:approve', 'watchlist:write', 'transactions:write'],
  nothing: ['transactions:write'],
} as const satisfies Record<string, readonly Scope[]>;
export type Role = keyof typeof ROLES;

export interface ApiFixture {
  app: FastifyInstance;
  config: Config;
  kafka: Kafka;
  redis: RedisClient;
  producer: Producer;
  admin: Admin;
  catalog: RuleCatalog;
  /** Plain keys by role, plus "expired" and "revoked". */
  keys: Record<Role | 'expired' | 'revoked', string>;
  records: ApiKeyRecord[];
  keyFile: string;
  /** Wallets riskOf knows. */
  knownWallets: Map<string, WalletStateRisk>;
  readiness: { value: Readiness };
  logLines: string[];
  auth(role: Role | 'expired' | 'revoked'): Record<string, string>;
  /** Builds another app over the same topics, Redis prefix and keys (a second replica, a restart). */
  rebuild(extraEnv?: Record<string, string>): Promise<FastifyInstance>;
  close(): Promise<void>;
}

export async function startApiFixture(
  options: {
    env?: Record<string, string>;
    partitions?: number;
    riskOf?: (walletId: string) => Promise<WalletStateRisk | null>;
    /** Run the indexes on the Redis Cluster instead of the standalone Redis. */
    cluster?: boolean;
  } = {},
): Promise<ApiFixture> {
  const names = testNames();
  const dir = mkdtempSync(join(tmpdir(), 'fg-api-'));
  const keyFile = join(dir, 'api-keys.json');
  const keys = {} as ApiFixture['keys'];
  const records: ApiKeyRecord[] = [];
  for (const [role, scopes] of Object.entries(ROLES)) {
    const created = createApiKey({ name: `${role} test key`, scopes: [...scopes], id: role });
    keys[role as Role] = created.key;
    records.push(created.record);
  }
  const expired = createApiKey({
    name: 'expired',
    scopes: ['risk:read'],
    id: 'expired',
    expiresAt: new Date(Date.now() - 60_000),
  });
  const revoked = createApiKey({ name: 'revoked', scopes: ['risk:read'], id: 'revoked' });
  keys.expired = expired.key;
  keys.revoked = revoked.key;
  records.push(expired.record, { ...revoked.record, revoked: true });
  writeApiKeyFile(keyFile, { keys: records });

  const run = names.run;
  const env: Record<string, string> = {
    KAFKA_BROKERS: requireEndpoint('kafkaBrokers'),
    ...(options.cluster
      ? { REDIS_CLUSTER_NODES: requireEndpoint('redisClusterNodes') }
      : { REDIS_URL: requireEndpoint('redisUrl') }),
    KAFKA_GROUP_ID: `t-${run}`,
    REDIS_KEY_PREFIX: `t${run}`,
    INPUT_TOPIC: `t-${run}.in`,
    ALERTS_TOPIC: `t-${run}.alerts`,
    DEAD_LETTER_TOPIC: `t-${run}.dlq`,
    AUDIT_TOPIC: `t-${run}.audit`,
    MENTIONS_TOPIC: `t-${run}.mentions`,
    API_KEYS_FILE: keyFile,
    API_KEYS_RELOAD_INTERVAL: '1s',
    INDEX_EPOCH_CHECK_INTERVAL: '1s',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const config = loadConfig(env);
  const logLines: string[] = [];
  const logger: Logger = pino(
    { level: process.env.TEST_LOG_LEVEL ?? 'info' },
    { write: (line: string) => void logLines.push(line) },
  );
  const kafka = createKafka(config.kafka, logger.child({ component: 'test-kafka' }), `api-test-${run}`);
  const admin = kafka.admin();
  await admin.connect();
  const k = config.kafka;
  await createTopicsAndWait(
    admin,
    [k.inputTopic, k.alertsTopic, k.auditTopic, k.mentionsTopic].map((topic) => ({
      topic,
      numPartitions: options.partitions ?? 2,
    })),
  );
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const redis = createRedisClient(config.redis);
  const catalog = loadRuleCatalog(DEFAULT_RULES_FILE, config.features.windows, config.features.base);
  const knownWallets = new Map<string, WalletStateRisk>();
  const readiness = { value: { ready: true, reasons: [], checks: { stub: true } } as Readiness };
  const metrics = createMetrics();
  const apps: FastifyInstance[] = [];

  const build = async (extraEnv: Record<string, string> = {}) => {
    const appConfig = Object.keys(extraEnv).length ? loadConfig({ ...env, ...extraEnv }) : config;
    const app = await buildApi({
      config: appConfig,
      logger,
      metrics,
      readiness: async () => readiness.value,
      catalog: () => catalog,
      riskOf: options.riskOf ?? (async (walletId) => knownWallets.get(walletId) ?? null),
      redis,
      kafka,
    });
    apps.push(app);
    return app;
  };
  const app = await build();

  return {
    app,
    config,
    kafka,
    redis,
    producer,
    admin,
    catalog,
    keys,
    records,
    keyFile,
    knownWallets,
    readiness,
    logLines,
    auth: (role) => ({ authorization: `Bearer ${keys[role]}` }),
    rebuild: build,
    async close() {
      for (const each of apps) await each.close().catch(() => undefined);
      await producer.disconnect();
      const groups = (await admin.listGroups()).groups
        .map((group) => group.groupId)
        .filter((groupId) => groupId.startsWith(`${config.kafka.groupId}.`));
      if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
      await admin
        .deleteTopics({ topics: [k.inputTopic, k.alertsTopic, k.auditTopic, k.mentionsTopic] })
        .catch(() => undefined);
      await admin.disconnect();
      await deleteAllKeys(redis, `${config.redis.keyPrefix}:*`);
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves when `read` returns something truthy (polling the app, not sleeping for a fixed time). The
 * wait between polls starts at 100 ms and doubles up to `maxIntervalMs`: a read of several routes
 * polled every 100 ms for long spends the API's rate limit (600 requests a minute per principal).
 */
export async function eventually<T>(
  read: () => Promise<T | undefined | false | null>,
  timeoutMs = 20_000,
  maxIntervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let intervalMs = 100; ; intervalMs = Math.min(2 * intervalMs, maxIntervalMs)) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Deletes the keys matching the pattern on a standalone Redis or on every master of a cluster. */
export async function deleteAllKeys(redis: RedisClient, pattern: string): Promise<void> {
  if (!(redis instanceof Cluster)) return deleteKeys(redis, pattern);
  for (const node of redis.nodes('master')) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      // One key per command: keys of several slots cannot share one UNLINK on a cluster node.
      if (keys.length) await Promise.all(keys.map((key) => node.unlink(key)));
    } while (cursor !== '0');
  }
}
