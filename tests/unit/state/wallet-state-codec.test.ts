// The wallet state record's bytes: every field round-trips, the version sits at a fixed place, and a
// damaged or foreign value is refused as FG_STATE_CORRUPT, never decoded into something else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketsOf, seriesOf, insertBucket } from '../../../services/detector/src/state/bucket-series.js';
import { isFlowGuardError } from '../../../services/detector/src/errors.js';
import { CounterpartySet } from '../../../services/detector/src/state/counterparty-set.js';
import {
  decodeWalletState,
  encodeWalletState,
  recordVersionOf,
} from '../../../services/detector/src/state/wallet-state-codec.js';
import { RECORD_HEADER_BYTES } from '../../../services/detector/src/state/record-format.js';
import {
  BUCKET_FIELDS,
  emptyWalletState,
  freshMemo,
  type Counterparty,
  type WalletState,
} from '../../../services/detector/src/state/wallet-state.js';
import { featureConfig } from '../../support/wallet-sides.js';

const features = featureConfig();
const HOUR = 3_600_000;

const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const id = fc.oneof(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }), text);
const time = fc.integer({ min: -(2 ** 44), max: 2 ** 45 });
const maybeNaN = fc.oneof({ weight: 9, arbitrary: time }, { weight: 1, arbitrary: fc.constant(Number.NaN) });
const amount = fc.oneof({ weight: 5, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.maxSafeNat() });
const count = fc.oneof({ weight: 5, arbitrary: fc.nat(1000) }, { weight: 1, arbitrary: fc.maxSafeNat() });

function mapOf<K, V>(keys: fc.Arbitrary<K>, value: fc.Arbitrary<V>, maxLength = 8) {
  return fc
    .uniqueArray(fc.tuple(keys, value), { selector: ([k]) => k, maxLength })
    .map((entries) => new Map(entries));
}

const bucketValues = fc.array(
  fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: amount }),
  {
    minLength: BUCKET_FIELDS.length,
    maxLength: BUCKET_FIELDS.length,
  },
);
const bucketIndex = (sizeMs: number) =>
  fc.integer({ min: -Math.floor(2 ** 45 / sizeMs), max: Math.floor(2 ** 45 / sizeMs) });
const counterparty = fc.record({ firstMs: time, lastMs: time, count, sum: amount });
const source = fc.record({ streamKey: id, topic: id, partition: fc.nat(10_000), offset: fc.maxSafeNat() });

const walletState: fc.Arbitrary<WalletState> = fc
  .record({
    walletId: id,
    version: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
    openedAtMs: fc.option(time),
    times: fc.oneof(
      fc.constant([Number.NaN, Number.NaN] as const),
      fc.tuple(time, time).map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const),
    ),
    lifetime: fc.record({
      inCount: count,
      inSum: amount,
      donationCount: count,
      purchaseCount: count,
      outCount: count,
      outSum: amount,
      payersEver: count,
    }),
    fine: mapOf(bucketIndex(features.fineBucketMs), bucketValues, 20),
    hourly: mapOf(bucketIndex(HOUR), bucketValues, 20),
    payers: mapOf(id, counterparty, 20),
    payees: mapOf(id, counterparty),
    watermarks: mapOf(id, fc.maxSafeNat()),
    recent: fc
      .array(fc.tuple(fc.maxSafeNat(), fc.maxSafeNat()), { maxLength: 70 })
      .map((pairs) => pairs.flat()),
    flaggedAtMs: fc.option(time),
    overlap: mapOf(
      id,
      fc.record({ shared: fc.double(), sample: fc.array(id, { maxLength: 4 }), flaggedAtMs: maybeNaN }),
    ),
    firings: mapOf(
      id,
      fc.record({
        weight: fc.double(),
        lastFiredMs: maybeNaN,
        alertedRank: fc.integer({ min: -1, max: 5 }),
        alertedAtMs: maybeNaN,
      }),
    ),
    lastAlertId: fc.option(id),
    lastAlertAtMs: fc.option(time),
    alertCount: count,
    flags: fc.array(
      fc.record({
        flagId: id,
        kind: fc.constantFrom('confirmed', 'false-positive', 'blocked'),
        ruleId: fc.option(id),
        createdAtMs: time,
        expiresAtMs: fc.option(time),
      }),
      { maxLength: 3 },
    ),
    watch: fc.array(
      fc.record({
        mentionId: id,
        source: text,
        url: fc.option(text, { nil: undefined }),
        seenAtMs: time,
        listedAtMs: time,
        expiresAtMs: time,
      }),
      { maxLength: 3 },
    ),
    watchAlertedAtMs: fc.option(time),
    alerts: fc.array(fc.record({ alertId: id, json: fc.string({ unit: 'grapheme' }), source }), {
      maxLength: 2,
    }),
    seeds: fc.array(
      fc.record({
        source,
        flaggedAtMs: maybeNaN,
        reason: fc.constantFrom('alert', 'analyst', 'unseed'),
        raisedOn: fc.option(fc.array(id, { maxLength: 3 })),
      }),
      { maxLength: 2 },
    ),
    samples: fc.array(fc.record({ eventId: id, atMs: time }), { maxLength: 10 }),
  })
  .map((g) => ({
    walletId: g.walletId,
    version: g.version,
    openedAtMs: g.openedAtMs,
    firstSeenMs: g.times[0],
    lastEventMs: g.times[1],
    lifetime: g.lifetime,
    fine: seriesOf(features.fineBucketMs, g.fine),
    hourly: seriesOf(HOUR, g.hourly),
    payers: setOf(g.payers),
    payees: setOf(g.payees),
    samples: { eventIds: g.samples.map((s) => s.eventId), atMs: g.samples.map((s) => s.atMs) },
    dedup: { watermarks: g.watermarks, recent: g.recent },
    replacement: { flaggedAtMs: g.flaggedAtMs, overlap: g.overlap },
    alerting: {
      firings: g.firings,
      lastAlertId: g.lastAlertId,
      lastAlertAtMs: g.lastAlertAtMs,
      alertCount: g.alertCount,
    },
    analyst: { flags: g.flags },
    watch: { entries: g.watch, alertedAtMs: g.watchAlertedAtMs },
    pending: { alerts: g.alerts, seeds: g.seeds },
    memo: freshMemo(),
  }));

function setOf(parties: Map<string, Counterparty>): CounterpartySet {
  const set = new CounterpartySet();
  for (const [id, c] of parties) set.set(id, c);
  return set;
}

/** Map contents and their order (the record keeps iteration order). */
function orderOf(state: WalletState) {
  // Bucket series are not here: they are in index order whatever was stored, and the state's equality
  // compares their index lists as they are.
  return [
    state.payers,
    state.payees,
    state.dedup.watermarks,
    state.replacement.overlap,
    state.alerting.firings,
  ].map((m) => [...m.keys()]);
}

function corruptionOf(bytes: Buffer): unknown {
  try {
    decodeWalletState('w', bytes, features);
    return null;
  } catch (error) {
    return error;
  }
}

describe('wallet state codec', () => {
  it('round-trips every field of any wallet state, in map order', () => {
    fc.assert(
      fc.property(walletState, (state) => {
        const bytes = encodeWalletState(state);
        const decoded = decodeWalletState(state.walletId, bytes, features);
        // The decoded state also knows the make-up of the record it came from (for journal appends),
        // but not when it expires.
        expect(decoded.memo.record).toEqual({
          snapshotBytes: bytes.length,
          journalBytes: 0,
          journalEntries: 0,
          expiresAtMs: Number.NaN,
        });
        expect({ ...decoded, memo: { ...decoded.memo, record: state.memo.record } }).toEqual(state);
        expect(orderOf(decoded)).toEqual(orderOf(state));
        expect(recordVersionOf(bytes)).toBe(state.version);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the version in a fixed-width header a script can read without decoding', () => {
    const state = emptyWalletState('w-1', features.fineBucketMs);
    const bytes = encodeWalletState(state, 258);
    expect(bytes.length).toBeGreaterThan(RECORD_HEADER_BYTES);
    expect([...bytes.subarray(0, RECORD_HEADER_BYTES)]).toEqual([1, 0, 0, 0, 0, 1, 2]);
    expect(recordVersionOf(null)).toBe(0);
  });

  it('loads buckets a record holds out of order (as records written in map order may) in index order, and refuses a repeated one', () => {
    const state = emptyWalletState('w-1', features.fineBucketMs);
    state.lastEventMs = state.firstSeenMs = 12 * HOUR;
    const bucket = (inCount: number) => BUCKET_FIELDS.map((_, f) => (f === 0 ? inCount : 0));
    // Written as they lie: 12, 10, 11 (hours), as a map kept in insertion order wrote them.
    state.hourly = {
      sizeMs: HOUR,
      indexes: [12, 10, 11],
      values: [...bucket(3), ...bucket(1), ...bucket(2)],
    };
    const decoded = decodeWalletState('w-1', encodeWalletState(state), features);
    expect([...bucketsOf(decoded.hourly)]).toEqual([
      [10, bucket(1)],
      [11, bucket(2)],
      [12, bucket(3)],
    ]);
    state.hourly = {
      sizeMs: HOUR,
      indexes: [12, 10, 12],
      values: [...bucket(3), ...bucket(1), ...bucket(2)],
    };
    expect(() => decodeWalletState('w-1', encodeWalletState(state), features)).toThrow(
      /bucket index repeated/,
    );
  });

  it('moves fine buckets to a changed FINE_BUCKET instead of failing the load', () => {
    const state = emptyWalletState('w-1', features.fineBucketMs);
    state.lastEventMs = state.firstSeenMs = 12 * HOUR;
    const at = (minute: number) => (12 * HOUR + minute * 60_000) / features.fineBucketMs;
    insertBucket(state.fine, at(0), [1, 100, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    insertBucket(state.fine, at(5), [2, 700, 400, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const tenMinutes = featureConfig({ FINE_BUCKET: '10m' });
    const decoded = decodeWalletState('w-1', encodeWalletState(state), tenMinutes);
    expect(decoded.fine.sizeMs).toBe(600_000);
    expect([...bucketsOf(decoded.fine)]).toEqual([
      [(12 * HOUR) / 600_000, [3, 800, 400, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    ]);
  });

  it('refuses a value of an unknown format, a truncated one and one with bytes left over', () => {
    const state = emptyWalletState('w-1', features.fineBucketMs);
    state.payers.set('ref:card-1', { firstMs: 5, lastMs: 9, count: 2, sum: 100 });
    const bytes = encodeWalletState(state);
    const cases = {
      foreign: Buffer.from('{"inCount":3}'),
      empty: Buffer.alloc(0),
      futureFormat: Buffer.concat([Buffer.from([3]), bytes.subarray(1)]),
      truncated: bytes.subarray(0, bytes.length - 3),
      headerOnly: bytes.subarray(0, RECORD_HEADER_BYTES),
      trailing: Buffer.concat([bytes, Buffer.from([0])]),
    };
    for (const [name, value] of Object.entries(cases)) {
      expect(isFlowGuardError(corruptionOf(value), 'FG_STATE_CORRUPT'), name).toBe(true);
    }
    expect(() => recordVersionOf(cases.futureFormat)).toThrow(/unknown record format/);
  });

  it('never crashes on damaged bytes: either a state or FG_STATE_CORRUPT', () => {
    fc.assert(
      fc.property(
        walletState,
        fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }),
        (state, flips) => {
          const bytes = Buffer.from(encodeWalletState(state));
          for (const [at, value] of flips)
            bytes[RECORD_HEADER_BYTES + (at % (bytes.length - RECORD_HEADER_BYTES))] = value;
          const error = corruptionOf(bytes);
          expect(error === null || isFlowGuardError(error, 'FG_STATE_CORRUPT')).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses to encode what the record cannot carry, as FG_STATE_INVALID', () => {
    const state = emptyWalletState('w-1', features.fineBucketMs);
    state.lifetime.inSum = 12.5;
    expect(() => encodeWalletState(state)).toThrow(expect.objectContaining({ code: 'FG_STATE_INVALID' }));
  });
});
