// Assembles the detector from its parts; server.ts runs it as a process, tests run it in-process.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AlertStore } from './alerts/alert-store.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { FeatureStore } from './features/feature-store.js';
import { processBatch, type BatchResult } from './ingest/batch-processor.js';
import { createKafkaRuntime, type KafkaRuntime } from './ingest/kafka-runtime.js';
import { createMetrics } from './metrics.js';
import { CurrencyConverter } from './money.js';
import { createRedisClient, type RedisClient } from './redis/redis-connection.js';
import { RuleCatalogHolder } from './rules/rule-catalog-holder.js';

export interface Detector {
  app: FastifyInstance;
  redis: RedisClient;
  rules: RuleCatalogHolder;
  kafka: KafkaRuntime;
  /** Starts consuming. */
  start(): Promise<void>;
  /** Stop fetching, finish and commit the batch in hand, close producer, HTTP and Redis — in that order. */
  stop(): Promise<void>;
  onBatch: ((result: BatchResult) => void) | undefined;
}

export async function createDetector(config: Config, logger: Logger): Promise<Detector> {
  const rules = new RuleCatalogHolder(config.rulesFile, config.features.windows, logger);
  const redis = createRedisClient(config.redis);
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  const metrics = createMetrics();
  const features = new FeatureStore(redis, config.features, config.redis.keyPrefix);
  const alerts = new AlertStore(redis, config.redis.keyPrefix, config.features, config.alertHistory);
  const converter = new CurrencyConverter(config.features.baseCurrency, config.features.fxRates);
  const kafka = await createKafkaRuntime(config, logger);
  const now = () => Date.now();

  const app = await buildApp({
    logger,
    metrics,
    features,
    alerts,
    catalog: rules.current,
    now,
    readiness: {
      redis: async () => (await redis.ping()) === 'PONG',
      kafka: () => kafka.isReady(),
    },
    rulesStatus: () => ({
      source: rules.current().source,
      loadedAt: rules.loadedAt.toISOString(),
      rules: rules.current().rules.map((r) => r.id),
      lastReloadError: rules.lastReloadError,
    }),
  });

  const detector: Detector = {
    app,
    redis,
    rules,
    kafka,
    onBatch: undefined,
    async start() {
      rules.watch();
      const deps = {
        config,
        features,
        alerts,
        converter,
        catalog: rules.current,
        publish: kafka.publish,
        metrics,
        logger,
        now,
      };
      await kafka.start(async (messages) => {
        const timer = metrics.batchSeconds.startTimer();
        for (let i = 0; i < messages.length; i += config.batchChunkSize) {
          const result = await processBatch(deps, messages.slice(i, i + config.batchChunkSize));
          detector.onBatch?.(result);
        }
        timer();
      });
    },
    async stop() {
      rules.close();
      await kafka.stop();
      await app.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
  return detector;
}
