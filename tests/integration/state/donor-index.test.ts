// Who gave to whom, on the real Redis and the real 3-master Redis Cluster: a chunk's gifts go in a few
// multi-gift script calls (one slot a call on the cluster), each payer keeps its newest `cap` wallets,
// and a repeated gift moves only forward in time. The donors of flagged wallets are found behind the
// bitmap pre-filter, one probe for a whole chunk's payers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipelined } from '../../../services/detector/src/redis/pipelined.js';
import type { RedisClient } from '../../../services/detector/src/redis/redis-connection.js';
import { DonorIndex, type Gift } from '../../../services/detector/src/state/donor-index.js';
import { detectorRedis, REDIS_KINDS, removeKeys } from '../../support/redis-kinds.js';
import { testNames } from '../../support/test-detector.js';

const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const TTL = 86_400_000;

describe.each(REDIS_KINDS)('donor index on %s', (_name, cluster) => {
  let redis: RedisClient;
  let donors: DonorIndex;
  let prefix: string;

  beforeAll(() => {
    prefix = testNames().env.REDIS_KEY_PREFIX;
    redis = detectorRedis(cluster);
    donors = new DonorIndex(redis, prefix);
  });
  afterAll(async () => {
    await removeKeys(redis, prefix);
    await redis.quit();
  });

  it('records every gift of a large chunk, keeps the newest per payer up to the cap, and expires', async () => {
    // 300 payers × 3 wallets = 900 gifts (more than one call holds), and one payer giving to 5.
    const gifts: Gift[] = [];
    for (let p = 0; p < 300; p++) {
      for (let w = 0; w < 3; w++) gifts.push({ payer: `ref:p${p}`, walletId: `w${w}`, atMs: T0 + p + w });
    }
    for (let w = 0; w < 5; w++) gifts.push({ payer: 'ref:busy', walletId: `b${w}`, atMs: T0 + w * 1000 });
    // An older copy of a gift changes nothing; a newer one moves it forward.
    gifts.push({ payer: 'ref:p7', walletId: 'w0', atMs: T0 - 50_000 });
    gifts.push({ payer: 'ref:busy', walletId: 'b0', atMs: T0 + 9_000 });
    const commands = donors.giftCommands(gifts, 4, TTL);
    expect(commands.length).toBeLessThan(cluster ? 350 : 10);
    await donors.run(commands);

    const recent = await donors.recentGifts(['ref:p0', 'ref:p7', 'ref:p299', 'ref:busy']);
    expect(recent.get('ref:p0')).toEqual(['w2', 'w1', 'w0']);
    expect(recent.get('ref:p7')).toEqual(['w2', 'w1', 'w0']);
    expect(recent.get('ref:p299')).toEqual(['w2', 'w1', 'w0']);
    // Cap 4: b1 (the oldest once b0 moved forward) went.
    expect(recent.get('ref:busy')).toEqual(['b0', 'b4', 'b3', 'b2']);
    const key = donors.giftsKey('ref:busy');
    const [ttl] = (await runPipelined(redis, [{ key, add: (p) => p.pttl(key) }])) as [number];
    expect(ttl).toBeGreaterThan(TTL - 60_000);
    expect(ttl).toBeLessThanOrEqual(TTL);
  });

  it('finds exactly the linked donors among a chunk of payers, flagged no earlier than asked', async () => {
    const FLAGGED = T0 + 3_600_000;
    const linked = Array.from({ length: 40 }, (_, i) => ({ payer: `ref:donor${i}`, weight: 1 }));
    await donors.run([
      ...donors.linkCommands('flagged-a', FLAGGED, linked, TTL),
      // An older flag: left out by `sinceMs` below.
      ...donors.linkCommands('flagged-old', T0 - 86_400_000, [{ payer: 'ref:old-donor', weight: 0.5 }], TTL),
    ]);
    // 1,501 distinct payers in one probe: the donors among strangers.
    const payers = Array.from({ length: 1_460 }, (_, i) => `ref:stranger${i}`);
    payers.splice(700, 0, ...linked.map((d) => d.payer), 'ref:old-donor', 'ref:donor3');

    const found = await donors.lookup(new Set(payers), T0);

    expect([...found.keys()].sort()).toEqual(linked.map((d) => d.payer).sort());
    expect(found.get('ref:donor3')).toEqual([{ walletId: 'flagged-a', flaggedAtMs: FLAGGED, weight: 1 }]);
    const all = await donors.lookup(new Set(['ref:old-donor', 'ref:stranger1']), 0);
    expect(all.get('ref:old-donor')).toEqual([
      { walletId: 'flagged-old', flaggedAtMs: T0 - 86_400_000, weight: 0.5 },
    ]);
    expect(all.has('ref:stranger1')).toBe(false);
  });
});
