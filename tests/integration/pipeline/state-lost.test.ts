// Redis losing writes it had acknowledged, under a running detector (a failover to a lagging replica,
// a restart without its last second): the next chunk of the partition must not build on the older
// state. It refuses with FG_STATE_LOST, which the partition worker takes as "open the partition again"
// (the gate then replays what was lost: tests/integration/kafka/partition-gate.test.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { classifyFailure } from '../../../services/detector/src/kafka/failure-class.js';
import { adminRedis } from '../../support/clients.js';
import { deposit, HOUR, MINUTE } from '../../support/events.js';
import { pipelineOnRedis } from '../../support/pipeline-on-redis.js';

const { redis, prefix, pipeline, records, close } = pipelineOnRedis();
const start = Date.now() - 2 * HOUR;
const deposits = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => deposit(`w-lost-${(from + i) % 3}`, start + (from + i) * MINUTE));

/** Every key of this test's prefix, as a replica would hold them. */
async function snapshot(): Promise<Map<string, Buffer>> {
  const admin = adminRedis();
  const keys = await admin.keys(`${prefix}:*`);
  const dumps = new Map<string, Buffer>();
  for (const key of keys) dumps.set(key, (await admin.dumpBuffer(key))!);
  admin.disconnect();
  return dumps;
}

/** Redis as the snapshot had it: what was written since is lost. */
async function restore(dumps: Map<string, Buffer>): Promise<void> {
  const admin = adminRedis();
  for (const key of await admin.keys(`${prefix}:*`)) await admin.del(key);
  for (const [key, dump] of dumps) await admin.restore(key, 0, dump, 'REPLACE');
  admin.disconnect();
}

afterAll(close);

describe('Redis behind what this process wrote', () => {
  it('refuses the next chunk with FG_STATE_LOST, forgets its cached states, and goes on once replayed', async () => {
    await pipeline.run(0, records(0, deposits(0, 10)));
    const replica = await snapshot();
    await pipeline.run(0, records(0, deposits(10, 10), 10));
    expect(pipeline.deps.cache.size).toBeGreaterThan(0);

    // Redis comes back from a replica that had only the first chunk: wallets and checkpoint.
    await restore(replica);
    expect((await pipeline.deps.store.load(['w-lost-0'])).get('w-lost-0')!.lifetime.inCount).toBe(4);
    const refused = await pipeline.run(0, records(0, deposits(20, 10), 20)).catch((error: unknown) => error);
    expect(classifyFailure(refused)).toMatchObject({ kind: 'reopen', code: 'FG_STATE_LOST' });
    expect(String(refused)).toMatch(/up to offset 9, but this process wrote them up to 19/);
    expect(pipeline.deps.cache.size).toBe(0);

    // The gate replays from offset 10; the chunks go through again, and the lost deposits count.
    await pipeline.run(0, records(0, deposits(10, 20), 10));
    const state = (await pipeline.deps.store.load(['w-lost-0'])).get('w-lost-0')!;
    expect(state.lifetime.inCount).toBe(10);
  });

  it('takes a lower checkpoint this process wrote itself (a bisected chunk, a replay) for no loss', async () => {
    const streams = pipeline.deps.streams;
    await streams.checkpoint('inc/9', 19);
    await streams.assertKept('inc/9');
    // The first half of a chunk bisected around a poison record writes a lower checkpoint.
    await streams.checkpoint('inc/9', 14);
    await streams.assertKept('inc/9');
    await redis.hset(`${prefix}:{stream}`, 'cp:inc/9', 12);
    await expect(streams.assertKept('inc/9')).rejects.toMatchObject({ code: 'FG_STATE_LOST' });
  });
});
