// The chunk handler as the in-process tools run it: on the real Redis, without Kafka, over the bench's
// backlog, with the detector's wallet cache. Each run gets its own key prefix; `cleanup` deletes its keys.
// chunk-gc-run.ts sets up the same by hand: it loads the detector's modules from another revision's tree.
import type { Redis } from 'ioredis';
import { withLocalStackPlaintext } from '../../../scripts/dev/local-stack-env.js';
import { chunkPipeline } from '../../../tests/support/chunk-pipeline.js';
import { loadConfig, type Config } from '../../detector/src/config/index.js';
import type { SourceRecord } from '../../detector/src/kafka/chunk-contract.js';
import { createRedisClient } from '../../detector/src/redis/redis-connection.js';
import { WalletStateCache } from '../../detector/src/state/wallet-state-cache.js';
import { backlogRecords, runBacklog } from './in-process-backlog.js';
import { deleteKeys } from './redis-probe.js';

const PARTITIONS = 4;

export interface InProcessRun {
  config: Config;
  cache: WalletStateCache;
  /** The backlog's records, by partition. */
  byPartition: SourceRecord[][];
  /** Runs these records (by partition) through the handler, partitions concurrently, in chunks. */
  run(byPartition: SourceRecord[][]): Promise<void>;
  cleanup(): Promise<void>;
}

export function inProcessRun(options: { events: number; wallets: number; seed: number }): InProcessRun {
  const prefix = `ip${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const config = loadConfig({
    ...withLocalStackPlaintext(),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    REDIS_KEY_PREFIX: prefix,
    INPUT_TOPIC: `${prefix}.in`,
    LOG_LEVEL: 'silent',
  });
  const redis = createRedisClient(config.redis);
  const pipeline = chunkPipeline(config, redis);
  const cache = new WalletStateCache({
    maxBytes: config.pipeline.walletCacheBytes,
    maxIdleMs: config.pipeline.walletCacheIdleMs,
  });
  pipeline.deps.cache = cache;
  const byPartition = backlogRecords({
    ...options,
    partitions: PARTITIONS,
    topic: config.kafka.inputTopic,
    eventIdPrefix: prefix,
  });
  return {
    config,
    cache,
    byPartition,
    run: (records) => runBacklog(pipeline, records, config.pipeline.chunkSize),
    async cleanup() {
      await deleteKeys(redis as Redis, `${prefix}:`);
      redis.disconnect();
    },
  };
}
