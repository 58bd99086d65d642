// Assembles the detector from its parts; server.ts runs it as a process, tests run it in-process.
// Start-up refuses early and clearly: Redis unreachable, wrong credentials, Redis not durable, Kafka
// unreachable — each with its FG_* code, before anything is consumed.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Readiness } from './api/api-deps.js';
import { buildApi } from './api/build-api.js';
import type { Config } from './config/index.js';
import { CurrencyConverter } from './domain/money.js';
import { createConsumerRuntime, type ConsumerRuntime } from './kafka/consumer-runtime.js';
import { createKafka, verifyKafkaAccess } from './kafka/kafka-client.js';
import { ensureTopics } from './kafka/topics.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createChunkHandler } from './pipeline/chunk-handler.js';
import type { PipelineDeps } from './pipeline/pipeline-deps.js';
import { StreamRegistry } from './pipeline/stream-registry.js';
import { connectRedis, createRedisClient, type RedisClient } from './redis/redis-connection.js';
import { checkRedisDurability } from './redis/redis-durability.js';
import { RuleCatalogHolder } from './rules/rule-catalog-holder.js';
import { DonorIndex } from './state/donor-index.js';
import { walletRiskOf } from './state/wallet-risk.js';
import { WalletStateStore } from './state/wallet-state-store.js';

export interface Detector {
  config: Config;
  app: FastifyInstance;
  redis: RedisClient;
  rules: RuleCatalogHolder;
  runtime: ConsumerRuntime;
  metrics: Metrics;
  /** Starts consuming. */
  start(): Promise<void>;
  /** Stop fetching, finish and commit the chunk in hand, close producers, HTTP and Redis — in that order. */
  stop(): Promise<void>;
}

export interface DetectorOptions {
  /** "backfill" marks alerts raised while replaying history (flowguard backfill). */
  origin?: 'live' | 'backfill';
  /** Serve the API (false for the backfill, which only consumes). */
  api?: boolean;
}

export async function createDetector(
  config: Config,
  logger: Logger,
  options: DetectorOptions = {},
): Promise<Detector> {
  const metrics = createMetrics();
  const rules = new RuleCatalogHolder(
    config.rulesFile,
    config.features.windows,
    config.features.base,
    logger,
  );
  const redis = createRedisClient(config.redis);
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  await connectRedis(redis);
  await checkRedisDurability(redis, { acceptNonDurable: config.redis.acceptNonDurable, logger });

  const kafka = createKafka(config.kafka, logger);
  await verifyKafkaAccess(kafka, config.kafka);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, config.kafka);
  } finally {
    await admin.disconnect();
  }

  const prefix = config.redis.keyPrefix;
  const store = new WalletStateStore(redis, prefix, config.features);
  const streams = new StreamRegistry(redis, prefix, logger);
  // The handler asks the runtime for committed offsets; the runtime needs the handler: tie the knot.
  const committed: { runtime?: ConsumerRuntime } = {};
  const deps: PipelineDeps = {
    config,
    store,
    donors: new DonorIndex(redis, prefix),
    streams,
    catalog: rules.current,
    converter: new CurrencyConverter(config.features.base, config.features.fxRates),
    metrics,
    logger,
    now: () => Date.now(),
    committedOffset: async (topic, partition) =>
      (await committed.runtime!.committedOffsets(topic)).get(partition) ?? null,
    origin: options.origin ?? 'live',
  };
  const k = config.kafka;
  const consumer = createConsumerRuntime({
    kafka,
    config,
    logger,
    metrics,
    topics: [k.inputTopic, k.auditTopic, k.mentionsTopic],
    handler: createChunkHandler(deps),
    gate: streams,
  });
  committed.runtime = consumer;

  const readiness = async (): Promise<Readiness> => {
    const [kafkaReady, redisReady] = await Promise.all([
      consumer.readiness(),
      redis.ping().then(
        (pong) => pong === 'PONG',
        () => false,
      ),
    ]);
    const reasons = [...kafkaReady.reasons];
    if (!redisReady) reasons.push('Redis does not answer');
    const catalog = rules.current();
    return {
      ready: kafkaReady.ready && redisReady,
      reasons,
      checks: {
        kafka: kafkaReady.ready,
        redis: redisReady,
        partitions: consumer.partitions(),
        rules: {
          source: catalog.source,
          loadedAt: rules.loadedAt.toISOString(),
          rules: catalog.rules.map((r) => r.id),
          lastReloadError: rules.lastReloadError,
        },
      },
    };
  };

  const app = await buildApi({
    config,
    logger,
    metrics,
    readiness,
    catalog: rules.current,
    riskOf: async (walletId) => {
      const state = await store.read(walletId);
      return state ? walletRiskOf(state, config.features, rules.current(), Date.now()) : null;
    },
    redis,
    kafka,
  });

  return {
    config,
    app,
    redis,
    rules,
    runtime: consumer,
    metrics,
    async start() {
      rules.watch();
      await consumer.start();
    },
    async stop() {
      rules.close();
      await consumer.stop();
      await app.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
