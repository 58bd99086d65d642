// The feature store and the alert decision on a real Redis Cluster of three masters: no CROSSSLOT,
// the same features as on a single Redis, and a lost node surfaces as a retryable error.
import calculateSlot from 'cluster-key-slot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFlowGuardError } from '../../../services/detector/src/errors.js';
import { deposit, HOUR, transfer } from '../../support/events.js';
import { featureStoreFixture, type FeatureStoreFixture } from '../../support/feature-store-fixture.js';
import { referenceWindows } from '../../support/reference-features.js';
import { crashRedisNode } from '../../support/redis-restart.js';

const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);

describe('feature store on Redis Cluster', () => {
  let f: FeatureStoreFixture;
  beforeAll(() => {
    f = featureStoreFixture({}, true);
  });
  afterAll(async () => f.close());

  it('updates wallets on every node in one batch without CROSSSLOT errors', async () => {
    const events = Array.from({ length: 600 }, (_, i) =>
      i % 5 === 0
        ? transfer(`cw-${i % 40}`, `cw-${(i + 7) % 40}`, T0 + i * 20_000, { amount: '700.00' })
        : deposit(`cw-${i % 40}`, T0 + i * 20_000, { amount: `${100 + i}.00`, fromRef: `cp-${i % 90}` }),
    );
    const updates = f.updatesOf(events);
    const snapshots = await f.store.apply(updates, new Map());
    expect(snapshots.every((s) => s.status === 'applied')).toBe(true);
    const nodesUsed = new Set(
      updates.map((u) => (f.redis as import('ioredis').Cluster).slots[slotOf(u.walletId)]?.[0]),
    );
    expect(nodesUsed.size).toBe(3);
    for (const wallet of ['cw-0', 'cw-13', 'cw-39']) {
      const mine = updates.filter((u) => u.walletId === wallet);
      const actual = await f.store.read(wallet);
      const expected = referenceWindows(mine, f.config.features.windows, f.config.features.smallAmountMax);
      expect(actual!.windows['6h']).toMatchObject(expected['6h']!);
    }
  });

  it('reports a restarted node as a retryable error, then works again', async () => {
    const cluster = f.redis as import('ioredis').Cluster;
    const wallet = 'cw-failover';
    const nodeKey = cluster.slots[slotOf(wallet)]![0]!;
    const [host, port] = nodeKey.split(':');
    const crashed = await crashRedisNode({ host: host!, port: Number(port) });

    let failure: unknown;
    try {
      await f.store.apply(f.updatesOf([deposit(wallet, T0 + HOUR)]), new Map());
    } catch (error) {
      failure = error;
    }
    expect(isFlowGuardError(failure, 'FG_REDIS_UNAVAILABLE')).toBe(true);
    expect((failure as { retryable: boolean }).retryable).toBe(true);

    await crashed.restart();
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const [s] = await f.store.apply(f.updatesOf([deposit(wallet, T0 + 2 * HOUR)]), new Map());
        expect(s!.status).toBe('applied');
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  });
});

function slotOf(walletId: string): number {
  return calculateSlot(`x:{w:${walletId}}:meta`);
}
