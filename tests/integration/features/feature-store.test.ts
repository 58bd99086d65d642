// The velocity feature store on a real Redis: event-time windows, exactly-once, late events, sketches.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deposit, HOUR, MINUTE, transfer, withdrawal } from '../../support/events.js';
import { featureStoreFixture, type FeatureStoreFixture } from '../../support/feature-store-fixture.js';
import { walletKeys } from '../../../services/detector/src/features/wallet-keys.js';
import { referenceWindows } from '../../support/reference-features.js';
import type { WalletUpdate } from '../../../services/detector/src/ingest/normalized-event.js';
import type { WalletFeatures } from '../../../services/detector/src/features/wallet-features.js';

const DAY = 24 * HOUR;
// A fixed, bucket-aligned event-time origin: windows follow event time, never the wall clock.
const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);

async function applyAll(
  f: FeatureStoreFixture,
  updates: WalletUpdate[],
  chunk = 500,
): Promise<WalletFeatures[]> {
  const out: WalletFeatures[] = [];
  for (let i = 0; i < updates.length; i += chunk)
    out.push(...(await f.store.apply(updates.slice(i, i + chunk), new Map())));
  return out;
}

function windowsOf(features: WalletFeatures) {
  return Object.fromEntries(
    Object.entries(features.windows).map(([name, w]) => [
      name,
      {
        inCount: w.inCount,
        inSum: w.inSum,
        smallInCount: w.smallInCount,
        inMax: w.inMax,
        outCount: w.outCount,
        outSum: w.outSum,
        distinctPayers: w.distinctPayers,
        distinctPayees: w.distinctPayees,
      },
    ]),
  );
}

describe('feature store windows (event time)', () => {
  let f: FeatureStoreFixture;
  beforeAll(() => {
    f = featureStoreFixture();
  });
  afterAll(async () => f.close());

  it('counts an event exactly one window length before the newest one out, and one bucket later in', async () => {
    const w = 'edge-wallet';
    const [features] = (
      await applyAll(
        f,
        f.updatesOf([
          deposit(w, T0 - HOUR), // exactly on the 1 h boundary: outside
          deposit(w, T0 - HOUR + 5 * MINUTE), // first instant of the oldest bucket inside
          deposit(w, T0),
        ]),
      )
    ).slice(-1);
    expect(features!.windows['1h']!.inCount).toBe(2);
    expect(features!.windows['6h']!.inCount).toBe(3);
    expect(features!.windows['1h']!.startMs).toBe(T0 - HOUR + 5 * MINUTE);
  });

  it('spreads events over buckets and slides the windows forward as event time advances', async () => {
    const w = 'sliding-wallet';
    const events = Array.from({ length: 18 }, (_, i) =>
      deposit(w, T0 + i * 10 * MINUTE, { amount: `${100 + i}.00` }),
    );
    const after = await applyAll(f, f.updatesOf(events));
    const last = after[after.length - 1]!;
    // 18 events 10 min apart: the last hour holds those at 2h00..2h50 → 6.
    expect(last.windows['1h']!.inCount).toBe(6);
    expect(last.windows['6h']!.inCount).toBe(18);
    expect(last.windows['1h']!.inMax).toBe(11700);
    const [later] = await applyAll(f, f.updatesOf([deposit(w, T0 + 5 * HOUR, { amount: '50.00' })]));
    expect(later!.windows['1h']!.inCount).toBe(1);
    expect(later!.windows['1h']!.inMax).toBe(5000);
    expect(later!.windows['6h']!.inCount).toBe(19);
    const [muchLater] = await applyAll(f, f.updatesOf([deposit(w, T0 + 2 * DAY, { amount: '50.00' })]));
    expect(muchLater!.windows['6h']!.inCount).toBe(1);
    expect(muchLater!.windows['7d']!.inCount).toBe(20);
    expect(muchLater!.lifetime.inCount).toBe(20);
  });

  it('keeps outbound money and payees apart from inbound', async () => {
    const w = 'two-way-wallet';
    const snapshots = await applyAll(
      f,
      f.updatesOf([
        deposit(w, T0, { amount: '5000.00' }),
        transfer(w, 'friend-1', T0 + MINUTE, { amount: '1500.00' }),
        withdrawal(w, T0 + 2 * MINUTE, { amount: '2000.00' }),
      ]),
    );
    const sender = snapshots.filter((s) => s.walletId === w).pop()!;
    expect(sender.windows['1h']).toMatchObject({
      inCount: 1,
      inSum: 500000,
      outCount: 2,
      outSum: 350000,
      distinctPayees: 2,
      distinctPayers: 1,
    });
    // Every key the wallet has expires when it goes quiet, including those first written later.
    const keys = walletKeys(f.config.redis.keyPrefix, w);
    for (const key of [keys.meta, keys.buckets, keys.payers, keys.payees, keys.seen, keys.payerHll]) {
      const ttl = await f.redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(f.config.features.keyTtlMs - 60_000);
    }
    const friend = snapshots.find((s) => s.walletId === 'friend-1')!;
    expect(friend.windows['1h']).toMatchObject({ inCount: 1, inSum: 150000, distinctPayers: 1 });
  });
});

describe('feature store exactly-once and lateness', () => {
  let f: FeatureStoreFixture;
  beforeAll(() => {
    f = featureStoreFixture();
  });
  afterAll(async () => f.close());

  it('gives the same features for 10,000 events delivered twice in shuffled order as for once in order', async () => {
    const events = Array.from({ length: 10_000 }, (_, i) =>
      deposit(`dup-${i % 50}`, T0 + ((i * 7919) % (3 * DAY)), {
        amount: `${10 + (i % 900)}.00`,
        fromRef: `payer-${i % 700}`,
      }),
    );
    const inOrder = featureStoreFixture();
    const ordered = [...events].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    await applyAll(inOrder, inOrder.updatesOf(ordered));
    const shuffled = [...events, ...events].sort(
      (a, b) =>
        ((a.eventId.length * 31 + a.eventId.charCodeAt(a.eventId.length - 1)) % 7) -
          ((b.eventId.length * 31 + b.eventId.charCodeAt(b.eventId.length - 1)) % 7) ||
        b.eventId.localeCompare(a.eventId),
    );
    const results = await applyAll(f, f.updatesOf(shuffled));
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(10_000);
    for (const wallet of ['dup-0', 'dup-17', 'dup-49']) {
      const a = await inOrder.store.read(wallet);
      const b = await f.store.read(wallet);
      expect(windowsOf(b!)).toEqual(windowsOf(a!));
      expect(b!.lifetime.inCount).toBe(a!.lifetime.inCount);
      expect(b!.lifetime.inMean).toBeCloseTo(a!.lifetime.inMean, 6);
      expect(b!.lifetime.inVariance).toBeCloseTo(a!.lifetime.inVariance, 2);
    }
    await inOrder.close();
  });

  it('puts a late event inside retention into its own bucket, and one beyond it in lifetime stats only', async () => {
    const w = 'late-wallet';
    await applyAll(f, f.updatesOf([deposit(w, T0 + 10 * DAY)]));
    const [lateInWindow] = await applyAll(f, f.updatesOf([deposit(w, T0 + 10 * DAY - 30 * MINUTE)]));
    expect(lateInWindow!.status).toBe('applied');
    expect(lateInWindow!.windows['1h']!.inCount).toBe(2);
    const [lateInWeek] = await applyAll(f, f.updatesOf([deposit(w, T0 + 5 * DAY)]));
    expect(lateInWeek!.windows['1h']!.inCount).toBe(2);
    expect(lateInWeek!.windows['7d']!.inCount).toBe(3);
    const history = await f.store.hourlyHistories([{ walletId: w, lastEventMs: T0 + 10 * DAY }], 14 * 24);
    expect(history[0]!.counts.reduce((a, b) => a + b, 0)).toBe(2); // the 5-day-old one and the 30-min-late one's hour
    const [beyondRetention] = await applyAll(f, f.updatesOf([deposit(w, T0 - 5 * DAY)]));
    expect(beyondRetention!.status).toBe('beyond-retention');
    expect(beyondRetention!.lifetime.inCount).toBe(4);
    expect(beyondRetention!.windows['7d']!.inCount).toBe(3);
    const [beyondHorizon] = await applyAll(f, f.updatesOf([deposit(w, T0 - 6 * DAY)]));
    expect(beyondHorizon!.status).toBe('beyond-dedup-horizon');
    expect(beyondHorizon!.lifetime.inCount).toBe(4);
  });

  it('counts 10,000 distinct payers within the HyperLogLog error and caps the exact per-window sets', async () => {
    const w = 'popular-wallet';
    const events = Array.from({ length: 10_000 }, (_, i) => deposit(w, T0 + i * 300, { fromRef: `p-${i}` }));
    await applyAll(f, f.updatesOf(events), 1000);
    const features = await f.store.read(w);
    // HyperLogLog: 0.81% standard error; 3% is beyond three standard errors.
    expect(Math.abs(features!.lifetimeDistinctPayers - 10_000) / 10_000).toBeLessThan(0.03);
    expect(features!.windows['1h']!.distinctPayers).toBe(f.config.features.counterpartyCap);
    expect(features!.payersHeld).toBe(f.config.features.counterpartyCap);
    expect(features!.windows['1h']!.inCount).toBe(10_000); // all within 50 minutes of event time
  });
});

describe('feature store against a plain reference (property-based)', () => {
  let f: FeatureStoreFixture;
  beforeAll(() => {
    f = featureStoreFixture();
  });
  afterAll(async () => f.close());

  it('matches the reference on random streams with duplicates and disorder', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            // Mostly within three days (windows slide bucket by bucket), sometimes across three weeks
            // (buckets trimmed out of retention, events beyond the de-duplication horizon).
            offsetMin: fc.oneof(
              { weight: 4, arbitrary: fc.integer({ min: 0, max: 3 * 24 * 60 }) },
              { weight: 1, arbitrary: fc.integer({ min: 0, max: 21 * 24 * 60 }) },
            ),
            amount: fc.integer({ min: 1, max: 20_000 }),
            payer: fc.integer({ min: 0, max: 30 }),
            outbound: fc.boolean(),
            repeat: fc.boolean(),
          }),
          { minLength: 1, maxLength: 120 },
        ),
        async (rows) => {
          run += 1;
          const wallet = `prop-${run}`;
          const events = rows.flatMap((r) => {
            const at = T0 + r.offsetMin * MINUTE;
            const e = r.outbound
              ? withdrawal(wallet, at, { amount: `${r.amount}.00`, toRef: `payee-${r.payer}` })
              : deposit(wallet, at, { amount: `${r.amount}.00`, fromRef: `payer-${r.payer}` });
            return r.repeat ? [e, e] : [e];
          });
          const updates = f.updatesOf(events);
          const snapshots = await applyAll(f, updates, 37);
          const actual = await f.store.read(wallet);
          const expected = referenceWindows(
            updates,
            f.config.features.windows,
            f.config.features.smallAmountMax,
          );
          expect(windowsOf(actual!)).toEqual(expected);
          // What the rules see on the hot path (the last update's snapshot) agrees with it too.
          const lastSnapshot = snapshots[snapshots.length - 1]!;
          for (const [name, w] of Object.entries(lastSnapshot.windows)) {
            expect(w.inCount, name).toBe(expected[name]!.inCount);
            expect(w.distinctPayers, name).toBe(expected[name]!.distinctPayers);
            if (updates[updates.length - 1]!.direction === 'out')
              expect(w.distinctPayees, name).toBe(expected[name]!.distinctPayees);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
