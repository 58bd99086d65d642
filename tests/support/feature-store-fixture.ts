// A FeatureStore on the real test Redis (standalone or cluster) under a unique key prefix.
import { loadConfig, type Config } from '../../services/detector/src/config.js';
import { FeatureStore } from '../../services/detector/src/features/feature-store.js';
import { decodeEvent } from '../../services/detector/src/ingest/decode-event.js';
import { walletUpdatesOf, type WalletUpdate } from '../../services/detector/src/ingest/normalized-event.js';
import { CurrencyConverter } from '../../services/detector/src/money.js';
import { createRedisClient, type RedisClient } from '../../services/detector/src/redis/redis-connection.js';
import type { TransactionEventInput } from '../../schemas/transaction-event.js';
import { redisEnv } from './clients.js';
import { testNames } from './test-detector.js';

export interface FeatureStoreFixture {
  config: Config;
  redis: RedisClient;
  store: FeatureStore;
  updatesOf(events: TransactionEventInput[]): WalletUpdate[];
  close(): Promise<void>;
}

export function featureStoreFixture(env: Record<string, string> = {}, cluster = false): FeatureStoreFixture {
  const names = testNames();
  const config = loadConfig(
    {
      KAFKA_BROKERS: '127.0.0.1:9',
      ...redisEnv({ cluster }),
      REDIS_KEY_PREFIX: names.env.REDIS_KEY_PREFIX,
      ...env,
    },
    {},
  );
  const redis = createRedisClient(config.redis);
  // Node failures are asserted on the commands; the connection's own error events are expected noise.
  redis.on('error', () => undefined);
  const store = new FeatureStore(redis, config.features, config.redis.keyPrefix);
  const converter = new CurrencyConverter(config.features.baseCurrency, config.features.fxRates);
  return {
    config,
    redis,
    store,
    updatesOf(events) {
      return events.flatMap((e) => {
        const decoded = decodeEvent(Buffer.from(JSON.stringify(e)), converter);
        if (!decoded.ok) throw new Error(`fixture event invalid: ${decoded.reason}`);
        return walletUpdatesOf(decoded.event);
      });
    },
    async close() {
      const nodes = 'nodes' in redis ? redis.nodes('master') : [redis];
      for (const node of nodes) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', `${config.redis.keyPrefix}:*`, 'COUNT', 1000);
          cursor = next;
          for (const key of keys) await node.unlink(key);
        } while (cursor !== '0');
      }
      await redis.quit();
    },
  };
}
