// The process cache of wallet states on the real Redis: a chunk's written wallets are served to the
// next chunk without a read, and a state whose Redis record may expire before the cache entry does (read
// from Redis and not written again) is never kept — it would outlive the record.
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/detector/src/config/index.js';
import { createRedisClient } from '../../../services/detector/src/redis/redis-connection.js';
import { WalletStateStore } from '../../../services/detector/src/state/wallet-state-store.js';
import type { WalletState } from '../../../services/detector/src/state/wallet-state.js';
import { chunkPipeline, sourceRecords } from '../../support/chunk-pipeline.js';
import { connectionEnv, testRedis } from '../../support/clients.js';
import { campaign, HOUR, MINUTE } from '../../support/events.js';
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

/**
 * A pipeline over the real Redis whose store counts its reads, and a 20-event campaign into one
 * wallet over the last three hours, to be run as two chunks of ten.
 */
function walletRun(runConfig: typeof config, walletId: string) {
  const store = new CountingStore(redis, runConfig.redis.keyPrefix, runConfig.features);
  return {
    store,
    pipeline: chunkPipeline(runConfig, redis, store),
    records: sourceRecords(runConfig),
    events: campaign(walletId, Date.now() - 3 * HOUR, 20, MINUTE),
    key: store.walletKey(walletId),
  };
}

describe('the wallet cache', () => {
  it('serves written wallets to the next chunk, and never keeps one it only read', async () => {
    const { store, pipeline, records, events } = walletRun(config, 'w-cached');
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
    const { store, pipeline, records, events, key } = walletRun(config, 'w-journal');
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

  it('writes whole records, never a journal, while WALLET_JOURNAL is off', async () => {
    const plain = loadConfig({ ...connectionEnv(), ...env, WALLET_JOURNAL: 'false' });
    const { store, pipeline, records, events, key } = walletRun(plain, 'w-whole');
    await pipeline.run(0, records(0, events.slice(0, 10)));
    await pipeline.run(0, records(0, events.slice(10), 10));
    // The second chunk found the wallet in the cache, and still wrote it whole (format 1).
    expect(store.reads).toEqual(['w-whole']);
    const record = (await redis.getBuffer(key))!;
    expect(record[0]).toBe(1);
    const loaded = (await store.load(['w-whole'])).get('w-whole')!;
    expect(loaded.lifetime.inCount).toBe(20);
    expect(loaded.memo.record.journalEntries).toBe(0);
  });
});
