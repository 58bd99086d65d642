// One run of chunk-gc.ts (in a process of its own, under V8's --trace-gc-nvp): the chunk handler of
// the source tree CHUNK_GC_ROOT on the real Redis, no Kafka, over a backlog the bench's generator makes.
// Partitions run concurrently in BATCH_CHUNK_SIZE chunks, as in the detector; the wallet cache has the
// detector's default budget. Prints `chunk-gc-start` before the handler's work and `chunk-gc-result
// {json}` after it; the garbage collector's lines between the two are the parent's to read.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { backlogRecords, runBacklog } from './in-process-backlog.js';
import { deleteKeys } from './redis-probe.js';

type ConfigModule = typeof import('../../detector/src/config/index.js');
type RedisModule = typeof import('../../detector/src/redis/redis-connection.js');
type CacheModule = typeof import('../../detector/src/state/wallet-state-cache.js');
type PipelineModule = typeof import('../../../tests/support/chunk-pipeline.js');
type StackModule = typeof import('../../../scripts/dev/local-stack-env.js');

const root = process.env.CHUNK_GC_ROOT!;
const events = Number(process.env.CHUNK_GC_EVENTS);
const wallets = Number(process.env.CHUNK_GC_WALLETS);
const partitions = Number(process.env.CHUNK_GC_PARTITIONS);
const seed = Number(process.env.CHUNK_GC_SEED);

const from = <T>(path: string) => import(join(root, path)) as Promise<T>;
const { loadConfig } = await from<ConfigModule>('services/detector/src/config/index.ts');
const { createRedisClient } = await from<RedisModule>('services/detector/src/redis/redis-connection.ts');
const { WalletStateCache } = await from<CacheModule>('services/detector/src/state/wallet-state-cache.ts');
// The pipeline's dependencies as the detector assembles them, minus Kafka (the tests' helper).
const { chunkPipeline } = await from<PipelineModule>('tests/support/chunk-pipeline.ts');
const { withLocalStackPlaintext } = await from<StackModule>('scripts/dev/local-stack-env.ts');

const prefix = `cgc${Date.now().toString(36)}`;
const topic = `${prefix}.in`;
const config = loadConfig({
  ...withLocalStackPlaintext(),
  ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  REDIS_KEY_PREFIX: prefix,
  INPUT_TOPIC: topic,
  LOG_LEVEL: 'silent',
});
const redis = createRedisClient(config.redis);
const pipeline = chunkPipeline(config, redis);
pipeline.deps.cache = new WalletStateCache({
  maxBytes: config.pipeline.walletCacheBytes,
  maxIdleMs: config.pipeline.walletCacheIdleMs,
});

const byPartition = backlogRecords({ events, wallets, seed, partitions, topic, eventIdPrefix: prefix });

// The collections before this line (loading modules, building the backlog) are not the handler's: a
// full collection settles them, and the parent counts only what follows the marker.
(globalThis as { gc?: () => void }).gc?.();
console.log('chunk-gc-start');
const loop = performance.eventLoopUtilization();
const cpu = process.cpuUsage();
const started = performance.now();
await runBacklog(pipeline, byPartition, config.pipeline.chunkSize);
const used = process.cpuUsage(cpu);
const result = {
  events,
  cpuMicrosPerEvent: (used.user + used.system) / events,
  wallMicrosPerEvent: ((performance.now() - started) * 1000) / events,
  eventLoopUtilization: performance.eventLoopUtilization(loop).utilization,
};
console.log(`chunk-gc-result ${JSON.stringify(result)}`);

// The standalone Redis of REDIS_URL (no cluster nodes were configured).
await deleteKeys(redis as Redis, `${prefix}:`);
redis.disconnect();
