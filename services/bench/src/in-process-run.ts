// The chunk handler as the in-process tools run it: on the real Redis, without Kafka, over the bench's
// backlog, with the detector's wallet cache. Each run gets its own key prefix; `cleanup` deletes its keys.
// chunk-gc-run.ts sets up the same by hand: it loads the detector's modules from another revision's tree.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { z } from 'zod';
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

export interface InProcessArgs {
  events: number;
  wallets: number;
  seed: number;
  /** Only for a tool that asked for it (warm-passes). */
  passes: number;
}

const count = z.coerce.number().int().positive();

/** `--events`, `--wallets` and `--seed` of an in-process tool, and `--passes` where it takes them. */
export function inProcessArgs(options: { defaultSeed: number; passes?: boolean }): InProcessArgs {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '200000' },
      wallets: { type: 'string', default: '20000' },
      seed: { type: 'string', default: String(options.defaultSeed) },
      ...(options.passes ? { passes: { type: 'string', default: '3' } as const } : {}),
    },
  });
  return {
    events: count.parse(values.events),
    wallets: count.parse(values.wallets),
    seed: count.parse(values.seed),
    passes: count.parse(values.passes ?? '1'),
  };
}

/**
 * V8's gc(), for a tool that needs full collections on demand. Without --expose-gc the process runs
 * itself again with it (same arguments) and exits with that run's status.
 */
export function exposedGc(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) return gc;
  const again = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
  });
  process.exit(again.status ?? 1);
}
