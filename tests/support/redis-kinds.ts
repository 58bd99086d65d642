// The two Redis deployments FlowGuard supports, for tests that run on both: the stack's standalone
// Redis and its three-master Redis Cluster, each through the detector's own client.
import { Cluster } from 'ioredis';
import { createRedisClient, type RedisClient } from '../../services/detector/src/redis/redis-connection.js';
import { requireEndpoint } from './test-detector.js';

export const REDIS_KINDS = [
  ['Redis', false],
  ['Redis Cluster', true],
] as const;

export function detectorRedis(cluster: boolean): RedisClient {
  return createRedisClient({
    url: requireEndpoint('redisUrl'),
    clusterNodes: cluster ? requireEndpoint('redisClusterNodes').split(',') : undefined,
  });
}

/** Deletes every key under `prefix`, on every master of a cluster. */
export async function removeKeys(redis: RedisClient, prefix: string): Promise<void> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) await node.unlink(key);
    } while (cursor !== '0');
  }
}
