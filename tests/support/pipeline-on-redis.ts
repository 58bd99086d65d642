// A chunk pipeline on the test Redis under a key prefix of its own, as the pipeline tests open with:
// config, client, pipeline, records, and the cleanup of what it wrote.
import { loadConfig, type Config } from '../../services/detector/src/config/index.js';
import { createRedisClient, type RedisClient } from '../../services/detector/src/redis/redis-connection.js';
import type { WalletStateStore } from '../../services/detector/src/state/wallet-state-store.js';
import { chunkPipeline, sourceRecords } from './chunk-pipeline.js';
import { connectionEnv, testRedis } from './clients.js';
import { deleteKeys, testNames } from './test-detector.js';

/**
 * `storeOf`: a store of the test's own (to watch or interfere with writes); the detector's by default.
 * `clear` removes the prefix's keys; `close` disconnects the client and clears.
 */
export function pipelineOnRedis<S extends WalletStateStore>(
  storeOf?: (redis: RedisClient, config: Config) => S,
) {
  const { env } = testNames();
  const config = loadConfig({ ...connectionEnv(), ...env });
  const redis = createRedisClient(config.redis);
  const store = storeOf?.(redis, config);
  const clear = async () => {
    const cleaner = testRedis();
    await deleteKeys(cleaner, `${config.redis.keyPrefix}:*`);
    cleaner.disconnect();
  };
  return {
    config,
    redis,
    prefix: config.redis.keyPrefix,
    store,
    pipeline: chunkPipeline(config, redis, store),
    records: sourceRecords(config),
    clear,
    close: async () => {
      redis.disconnect();
      await clear();
    },
  };
}
