// The process cache of wallet states on the real Redis: a chunk's written wallets are served to the
// next chunk without a read, and a state whose Redis record may expire before the cache entry does (read
// from Redis and not written again) is never kept — it would outlive the record. After a lost
// compare-and-set, a cached state another instance changed is found by its version and read again.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/detector/src/config/index.js';
import { createRedisClient } from '../../../services/detector/src/redis/redis-connection.js';
import { WalletStateStore } from '../../../services/detector/src/state/wallet-state-store.js';
import type { WalletState } from '../../../services/detector/src/state/wallet-state.js';
import { chunkPipeline, sourceRecords } from '../../support/chunk-pipeline.js';
import { connectionEnv, testRedis } from '../../support/clients.js';
import { campaign, deposit, HOUR, MINUTE, transfer } from '../../support/events.js';
import { deleteKeys, testNames } from '../../support/test-detector.js';

const { env } = testNames();
const config = loadConfig({ ...connectionEnv(), ...env });
const redis = createRedisClient(config.redis);

/** Counts the wallets each load reads from Redis. */
class CountingStore extends WalletStateStore {
  reads: string[] = [];
  override async load(walletIds: string[]): Promise<Map<string, WalletState>> {
    this.reads.push(...walletIds);
    return super.load(walletIds);
  }
}

afterAll(async () => {
  const cleaner = testRedis();
  await deleteKeys(cleaner, `${config.redis.keyPrefix}:*`);
  cleaner.disconnect();
  redis.disconnect();
});

describe('the wallet cache', () => {
  it('serves written wallets to the next chunk, and never keeps one it only read', async () => {
    const store = new CountingStore(redis, config.redis.keyPrefix, config.features);
    const pipeline = chunkPipeline(config, redis, store);
    const records = sourceRecords(config);
    const start = Date.now() - 3 * HOUR;
    const events = campaign('w-cached', start, 20, MINUTE);
    await pipeline.run(0, records(0, events.slice(0, 10)));
    expect(store.reads).toEqual(['w-cached']);

    // The next chunk finds the wallet it wrote in the cache: no read.
    await pipeline.run(0, records(0, events.slice(10), 10));
    expect(store.reads).toEqual(['w-cached']);
    expect(pipeline.deps.cache.size).toBe(1);

    // A new process (empty cache) reads the record and only sees redeliveries: nothing is written, so
    // nothing vouches for how long the record lives — the state is not kept.
    pipeline.deps.cache.clear();
    await pipeline.run(0, records(0, events.slice(10), 10));
    expect(store.reads).toEqual(['w-cached', 'w-cached']);
    expect(pipeline.deps.cache.size).toBe(0);
    const state = (await store.load(['w-cached'])).get('w-cached')!;
    expect(state.lifetime.inCount).toBe(20);
  });

  it("appends a later chunk's sides to the wallet's record, which a new process reads as written", async () => {
    const store = new CountingStore(redis, config.redis.keyPrefix, config.features);
    const pipeline = chunkPipeline(config, redis, store);
    const records = sourceRecords(config);
    const events = campaign('w-journal', Date.now() - 3 * HOUR, 20, MINUTE);
    const key = store.walletKey('w-journal');
    await pipeline.run(0, records(0, events.slice(0, 10)));
    const snapshot = (await redis.getBuffer(key))!;
    expect(snapshot[0]).toBe(1);

    await pipeline.run(0, records(0, events.slice(10), 10));
    const record = (await redis.getBuffer(key))!;
    // Format 2: the first chunk's snapshot, untouched, then ten journalled sides.
    expect(record[0]).toBe(2);
    expect(record.subarray(7, snapshot.length)).toEqual(snapshot.subarray(7));
    const inMemory = pipeline.deps.cache.take('w-journal')!.state;
    const loaded = (await store.load(['w-journal'])).get('w-journal')!;
    expect(loaded.memo.record.journalEntries).toBe(10);
    expect(loaded.lifetime).toEqual(inMemory.lifetime);
    expect(loaded.samples).toEqual(inMemory.samples);
    expect([...loaded.payers]).toEqual([...inMemory.payers]);
    expect([...loaded.dedup.watermarks]).toEqual([...inMemory.dedup.watermarks]);
  });

  it('after a lost compare-and-set, reads a cached wallet another instance changed instead of running again', async () => {
    // Two instances: their own caches, one Redis. w-shared's deposits reach instance A on partition 0;
    // transfers out of it are applied by instance B on partition 1 (they are keyed by the payee).
    const a = chunkPipeline(config, redis, new CountingStore(redis, config.redis.keyPrefix, config.features));
    const b = chunkPipeline(config, redis);
    const records = sourceRecords(config);
    const start = Date.now() - 6 * HOUR;
    const conflicts = async () => (await a.deps.metrics.stateConflicts.get()).values[0]?.value ?? 0;
    const round = async (r: number) => {
      await a.run(0, records(0, [deposit('w-shared', start + r * HOUR)], r));
      await b.run(1, records(1, [transfer('w-shared', `w-payee-${r}`, start + r * HOUR + MINUTE)], r));
    };
    await round(0);
    // A's cached state is stale now: its next chunk loses the compare-and-set and runs again.
    await round(1);
    expect(await conflicts()).toBe(1);
    expect(a.deps.cache.verifying).toBe(true);

    // Checking versions, A finds the cached state stale and reads the wallet: no conflict, no second run.
    await round(2);
    expect(await conflicts()).toBe(1);
    expect(a.deps.cache.stale).toBe(1);
    const stored = (await a.deps.store.load(['w-shared'])).get('w-shared')!;
    expect(stored.lifetime).toMatchObject({ inCount: 3, outCount: 3 });
    // B wrote it again after A: found stale again. Then nobody changes it between A's chunks, and A's
    // next chunk takes its cached state as it is, without a read.
    await a.run(0, records(0, [deposit('w-shared', start + 3 * HOUR)], 3));
    expect(a.deps.cache.stale).toBe(2);
    const reads = (a.deps.store as CountingStore).reads.length;
    await a.run(0, records(0, [deposit('w-shared', start + 4 * HOUR)], 4));
    expect(a.deps.cache.stale).toBe(2);
    expect((a.deps.store as CountingStore).reads.length).toBe(reads);
    expect(await conflicts()).toBe(1);
    expect((await a.deps.store.load(['w-shared'])).get('w-shared')!.lifetime.inCount).toBe(5);
  });
});
