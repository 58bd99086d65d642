// The consuming half of the detector, shared by the live detector and `flowguard backfill`: Redis
// (reachable, durable), the broker (reachable, topics present), the state store, the rule catalog,
// the chunk handler and the consumer runtime over the input, audit and mentions topics.
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import type { Config } from '../config/index.js';
import { CurrencyConverter } from '../domain/money.js';
import { createConsumerRuntime, type ConsumerRuntime } from '../kafka/consumer-runtime.js';
import { createKafka, verifyKafkaAccess } from '../kafka/kafka-client.js';
import { ensureTopics } from '../kafka/topics.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { connectRedis, createRedisClient, type RedisClient } from '../redis/redis-connection.js';
import { checkRedisDurability } from '../redis/redis-durability.js';
import { RuleCatalogHolder } from '../rules/rule-catalog-holder.js';
import { DonorIndex } from '../state/donor-index.js';
import { WalletLeases } from '../state/wallet-leases.js';
import { WalletStateCache } from '../state/wallet-state-cache.js';
import { WalletStateStore } from '../state/wallet-state-store.js';
import { createChunkHandler } from './chunk-handler.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { StreamRegistry } from './stream-registry.js';

export interface ConsumingPipeline {
  kafka: Kafka;
  redis: RedisClient;
  metrics: Metrics;
  rules: RuleCatalogHolder;
  store: WalletStateStore;
  deps: PipelineDeps;
  runtime: ConsumerRuntime;
}

export interface PipelineOptions {
  origin: 'live' | 'backfill';
  alerts: 'publish' | 'hold';
}

export async function createConsumingPipeline(
  config: Config,
  logger: Logger,
  options: PipelineOptions,
): Promise<ConsumingPipeline> {
  const metrics = createMetrics();
  const rules = new RuleCatalogHolder(
    config.rulesFile,
    config.features.windows,
    config.features.base,
    logger,
  );
  const redis = createRedisClient(config.redis);
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  // After an outage, when the connection answers again (ioredis waits out a Redis loading its data).
  redis.on('ready', () => logger.info('redis connection ready'));
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
  const cache = new WalletStateCache({
    maxBytes: config.pipeline.walletCacheBytes,
    maxIdleMs: config.pipeline.walletCacheIdleMs,
  });
  new Counter({
    name: 'flowguard_wallet_cache_lookups_total',
    help: 'Wallet states a chunk looked for in the process cache, by result (hit, miss)',
    labelNames: ['result'],
    registers: [metrics.registry],
    collect() {
      // Read off the cache's own totals at scrape time: a labelled inc per lookup costs on the hot path.
      this.reset();
      this.inc({ result: 'hit' }, cache.hits);
      this.inc({ result: 'miss' }, cache.misses);
    },
  });
  new Gauge({
    name: 'flowguard_wallet_cache_bytes',
    help: 'Estimated heap of the wallet states kept decoded between chunks (WALLET_CACHE_MB)',
    registers: [metrics.registry],
    collect() {
      this.set(cache.bytes);
    },
  });
  // A Redis that went away may come back without some records: cached versions could then repeat.
  for (const event of ['close', 'reconnecting', '-node', 'node error']) redis.on(event, () => cache.clear());
  // The handler asks the runtime for committed offsets; the runtime needs the handler: tie the knot.
  const committed: { runtime?: ConsumerRuntime } = {};
  const deps: PipelineDeps = {
    config,
    store,
    leases: new WalletLeases(config.pipeline.walletsInFlight),
    cache,
    donors: new DonorIndex(redis, prefix),
    streams,
    catalog: rules.current,
    converter: new CurrencyConverter(config.features.base, config.features.fxRates),
    metrics,
    logger,
    now: () => Date.now(),
    committedOffset: async (topic, partition) =>
      (await committed.runtime!.committedOffsets(topic)).get(partition) ?? null,
    origin: options.origin,
    alerts: options.alerts,
  };
  const k = config.kafka;
  const runtime = createConsumerRuntime({
    kafka,
    config,
    logger,
    metrics,
    topics: [k.inputTopic, k.auditTopic, k.mentionsTopic],
    handler: createChunkHandler(deps),
    gate: streams,
  });
  committed.runtime = runtime;
  return { kafka, redis, metrics, rules, store, deps, runtime };
}
