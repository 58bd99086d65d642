// Assembles the detector: the consuming pipeline and the API over it. server.ts runs it as a
// process, tests run it in-process. Start-up refuses early and clearly — Redis unreachable, wrong
// credentials, Redis not durable, Kafka unreachable — each with its FG_* code, before anything is read.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Readiness } from './api/api-deps.js';
import { buildApi } from './api/build-api.js';
import type { Config } from './config/index.js';
import type { ConsumerRuntime } from './kafka/consumer-runtime.js';
import type { Metrics } from './metrics.js';
import { createConsumingPipeline } from './pipeline/consuming-pipeline.js';
import type { RedisClient } from './redis/redis-connection.js';
import type { RuleCatalogHolder } from './rules/rule-catalog-holder.js';
import { walletRiskOf } from './state/wallet-risk.js';

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

export async function createDetector(config: Config, logger: Logger): Promise<Detector> {
  const pipeline = await createConsumingPipeline(config, logger, { origin: 'live', alerts: 'publish' });
  const { redis, rules, runtime, store, metrics } = pipeline;

  const readiness = async (): Promise<Readiness> => {
    const [kafkaReady, redisReady] = await Promise.all([
      runtime.readiness(),
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
        partitions: runtime.partitions(),
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
    kafka: pipeline.kafka,
  });

  return {
    config,
    app,
    redis,
    rules,
    runtime,
    metrics,
    async start() {
      rules.watch();
      await runtime.start();
    },
    async stop() {
      rules.close();
      await runtime.stop();
      await app.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
