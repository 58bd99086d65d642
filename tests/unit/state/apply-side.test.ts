// Applying wallet sides to the state record: exactly-once marks, the opening-time rule, late events,
// retention, the counterparty bounds, and a record size that stays bounded however busy the wallet.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketsOf } from '../../../services/detector/src/state/bucket-series.js';
import {
  applySide,
  checkSide,
  COUNTERPARTY_BYTES_MAX,
  hourlyKeptMs,
  MAX_WATERMARKS,
  recordSeen,
  rememberSample,
  retainedFrom,
  SAMPLES_KEPT,
} from '../../../services/detector/src/state/apply-side.js';
import {
  decodeWalletState,
  encodeWalletState,
} from '../../../services/detector/src/state/wallet-state-codec.js';
import {
  emptyWalletState,
  FIELD,
  recentCount,
  type WalletState,
} from '../../../services/detector/src/state/wallet-state.js';
import { WalletView } from '../../../services/detector/src/state/window-view.js';
import { featureConfig, feed, sideOf, type EventSpec } from '../../support/wallet-sides.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const features = featureConfig();

function wallet(id = 'w-1'): WalletState {
  return emptyWalletState(id, features.fineBucketMs);
}

let offset = 0;
/** A deposit into w-1 from `payer` at `atMs`, on stream inc1/0 at the next offset. */
function deposit(atMs: number, payer = 'ref:card-1', over: Partial<EventSpec> = {}) {
  offset += 1;
  return sideOf(over.to ?? 'w-1', { eventId: `ev-${offset}`, atMs, from: payer, to: 'w-1', offset, ...over });
}

describe('duplicate check', () => {
  it('treats a record at or below its stream watermark as a duplicate, whatever its id', () => {
    const state = wallet();
    const first = deposit(T0, 'ref:a', { offset: 10 });
    expect(feed(state, [first], features)).toEqual(['new']);
    expect(checkSide(state, first)).toBe('duplicate');
    expect(checkSide(state, deposit(T0, 'ref:b', { offset: 9, eventId: 'other' }))).toBe('duplicate');
    // The same offset on another stream (another partition or topic incarnation) is another record.
    expect(checkSide(state, deposit(T0, 'ref:b', { offset: 10, eventId: 'x', streamKey: 'inc1/1' }))).toBe(
      'new',
    );
  });

  it('catches the same eventId re-sent as a new record, and the same id with another body as a conflict', () => {
    const state = wallet();
    feed(state, [deposit(T0, 'ref:a', { eventId: 'e-1', offset: 1, amount: 500 })], features);
    expect(checkSide(state, deposit(T0, 'ref:a', { eventId: 'e-1', offset: 2, amount: 500 }))).toBe(
      'duplicate',
    );
    expect(checkSide(state, deposit(T0, 'ref:a', { eventId: 'e-1', offset: 3, amount: 501 }))).toBe(
      'conflict',
    );
  });

  it('remembers the last RECENT_EVENT_IDS ids only', () => {
    const state = wallet();
    const resend = (id: string, at: number) => deposit(T0, 'ref:a', { eventId: id, offset: at, amount: 500 });
    feed(state, [resend('e-old', 1)], features);
    feed(
      state,
      Array.from({ length: features.recentEventIds }, (_, i) => deposit(T0 + i, 'ref:a', { offset: 2 + i })),
      features,
    );
    expect(recentCount(state)).toBe(features.recentEventIds);
    expect(checkSide(state, resend('e-old', 1_000))).toBe('new');
  });

  it('keeps catching exactly the newest ids after the ring has wrapped several times', () => {
    const state = wallet();
    const cap = features.recentEventIds;
    const events = Array.from({ length: 3 * cap + 7 }, (_, i) =>
      deposit(T0 + i, 'ref:a', { eventId: `w-${i}`, amount: 100 + i }),
    );
    feed(state, events, features);
    const resend = (i: number, amount = 100 + i) =>
      deposit(T0 + i, 'ref:a', { eventId: `w-${i}`, amount, offset: 1_000_000 + i });
    const newest = events.length - 1;
    const oldestKept = events.length - cap;
    expect(checkSide(state, resend(newest))).toBe('duplicate');
    expect(checkSide(state, resend(oldestKept))).toBe('duplicate');
    expect(checkSide(state, resend(oldestKept, 1))).toBe('conflict');
    expect(checkSide(state, resend(oldestKept - 1))).toBe('new');
    expect(recentCount(state)).toBe(cap);
  });

  it('advances the watermark for a duplicate without applying it', () => {
    const state = wallet();
    feed(state, [deposit(T0, 'ref:a', { offset: 5 })], features);
    recordSeen(state, { streamKey: 'inc1/0', offset: 8 });
    recordSeen(state, { streamKey: 'inc1/0', offset: 7 });
    expect(state.dedup.watermarks.get('inc1/0')).toBe(8);
    expect(state.lifetime.inCount).toBe(1);
  });

  it(`keeps at most ${MAX_WATERMARKS} stream watermarks, dropping the stream with the oldest activity`, () => {
    const state = wallet();
    for (let p = 0; p < MAX_WATERMARKS; p++) recordSeen(state, { streamKey: `inc1/${p}`, offset: 1 });
    recordSeen(state, { streamKey: 'inc1/0', offset: 2 }); // stream 0 is active again: 1 is now the oldest
    recordSeen(state, { streamKey: 'inc2/0', offset: 1 });
    expect(state.dedup.watermarks.size).toBe(MAX_WATERMARKS);
    expect(state.dedup.watermarks.has('inc1/1')).toBe(false);
    expect(state.dedup.watermarks.get('inc1/0')).toBe(2);
  });

  it('keeps the watermarks in order of last activity while one stream runs on', () => {
    const state = wallet();
    const seen = (streamKey: string, at: number) => recordSeen(state, { streamKey, offset: at });
    seen('a', 1);
    seen('b', 1);
    seen('b', 2);
    seen('b', 3);
    expect([...state.dedup.watermarks]).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    seen('a', 2);
    expect([...state.dedup.watermarks.keys()]).toEqual(['b', 'a']);
    seen('b', 4);
    seen('b', 5);
    expect([...state.dedup.watermarks]).toEqual([
      ['a', 2],
      ['b', 5],
    ]);
  });
});

describe('samples', () => {
  it(`keeps the newest ${SAMPLES_KEPT} event ids, oldest first`, () => {
    const state = wallet();
    for (let i = 0; i < 3 * SAMPLES_KEPT + 4; i++) rememberSample(state, `s-${i}`, T0 + i);
    const kept = Array.from({ length: SAMPLES_KEPT }, (_, k) => 2 * SAMPLES_KEPT + 4 + k);
    expect(state.samples).toEqual({
      eventIds: kept.map((i) => `s-${i}`),
      atMs: kept.map((i) => T0 + i),
    });
  });
});

describe('applying a side', () => {
  it("refuses a side of another wallet instead of mixing two wallets' records", () => {
    const side = sideOf('w-2', { eventId: 'x', atMs: T0, from: 'ref:a', to: 'w-2', offset: 1 });
    expect(() => applySide(wallet('w-1'), side, features)).toThrow(
      expect.objectContaining({ code: 'FG_STATE_INVALID' }),
    );
  });

  it('keeps the youngest plausible opening-time claim', () => {
    const state = wallet();
    feed(state, [deposit(T0, 'ref:a', { toOpenedAtMs: T0 - 10 * DAY })], features);
    feed(state, [deposit(T0 + 1, 'ref:a', { toOpenedAtMs: T0 - 5 * HOUR })], features);
    feed(state, [deposit(T0 + 2, 'ref:a', { toOpenedAtMs: T0 - 20 * DAY })], features);
    feed(state, [deposit(T0 + 3, 'ref:a')], features);
    expect(state.openedAtMs).toBe(T0 - 5 * HOUR);
  });

  it('fills the fields of inbound and outbound buckets by type and amount class', () => {
    const state = wallet();
    const near = features.nearThresholdFrom;
    feed(
      state,
      [
        deposit(T0, 'ref:a', { amount: features.smallAmountMax }),
        deposit(T0, 'ref:b', { amount: near, type: 'payment' }),
        deposit(T0, 'w-2', { amount: features.reportingThreshold, type: 'transfer' }),
        sideOf('w-1', {
          eventId: 'o1',
          atMs: T0,
          from: 'w-1',
          to: 'ref:bank',
          amount: 700,
          type: 'withdrawal',
          offset: ++offset,
        }),
        sideOf('w-1', {
          eventId: 'o2',
          atMs: T0,
          from: 'w-1',
          to: 'ref:shop',
          amount: 300,
          type: 'payment',
          offset: ++offset,
        }),
      ],
      features,
    );
    const bucket = bucketsOf(state.fine).get(Math.floor(T0 / features.fineBucketMs))!;
    expect(bucket).toEqual([
      3, // inCount
      features.smallAmountMax + near + features.reportingThreshold,
      features.reportingThreshold, // inMax
      2, // donationCount: the deposit and the transfer
      features.smallAmountMax + features.reportingThreshold,
      1, // smallDonationCount
      1, // purchaseCount
      near,
      1, // nearThresholdCount: from nearThresholdFrom, below the threshold itself
      2, // outCount
      1000,
      1, // passOnCount: the withdrawal, not the purchase
      700,
    ]);
    expect(bucketsOf(state.hourly).get(Math.floor(T0 / HOUR))).toEqual(bucket);
    expect(state.lifetime).toMatchObject({
      inCount: 3,
      donationCount: 2,
      purchaseCount: 1,
      outCount: 2,
      outSum: 1000,
    });
  });

  it('puts a late event inside retention into its own bucket, and one older than every retention in lifetime only', () => {
    const state = wallet();
    feed(state, [deposit(T0, 'ref:a')], features);
    feed(state, [deposit(T0 - 2 * HOUR, 'ref:b')], features);
    expect(bucketsOf(state.fine).has(Math.floor((T0 - 2 * HOUR) / features.fineBucketMs))).toBe(true);

    // Older than the 6 h of fine buckets, inside the hourly retention.
    const sevenHoursLate = deposit(T0 - 7 * HOUR, 'ref:c');
    expect(applySide(state, sevenHoursLate, features)).toEqual({ status: 'applied', newCounterparty: true });
    expect(bucketsOf(state.fine).size).toBe(2);
    expect(bucketsOf(state.hourly).has(Math.floor((T0 - 7 * HOUR) / HOUR))).toBe(true);

    const buckets = [...bucketsOf(state.hourly).keys()];
    const ancient = deposit(T0 - 15 * DAY, 'ref:a');
    expect(applySide(state, ancient, features)).toEqual({
      status: 'beyond-retention',
      newCounterparty: false,
    });
    expect([...bucketsOf(state.hourly).keys()]).toEqual(buckets);
    expect(state.lifetime.inCount).toBe(4);
    expect(state.firstSeenMs).toBe(T0 - 15 * DAY);
    expect(state.lastEventMs).toBe(T0);
    // The counterparty's history still knows the payment, wherever it arrived in the stream.
    expect(state.payers.get('ref:a')).toMatchObject({ firstMs: T0 - 15 * DAY, lastMs: T0, count: 2 });
  });

  it('trims buckets that left retention as the newest event time moves on', () => {
    const state = wallet();
    feed(state, [deposit(T0, 'ref:a')], features);
    feed(state, [deposit(T0 + 6 * HOUR, 'ref:a')], features);
    expect(bucketsOf(state.fine).size).toBe(1);
    expect(bucketsOf(state.hourly).size).toBe(2);
    feed(state, [deposit(T0 + 6 * HOUR + 14 * DAY, 'ref:a')], features);
    expect([...bucketsOf(state.hourly).keys()].map((i) => i * HOUR - T0)).toEqual([
      6 * HOUR,
      6 * HOUR + 14 * DAY,
    ]);
  });

  it('holds exactly the buckets of the events applied within retention, late ones and reloads included', () => {
    // Each step: a gap after the newest event (mostly minutes, so a trim passes a bucket or two; now
    // and then days) or a late event (up to 20 days back), and now and then the state stored and
    // loaded again (its memo starts over).
    const step = fc.record({
      late: fc.boolean(),
      gapMinutes: fc.oneof(
        { arbitrary: fc.integer({ min: 0, max: 90 }), weight: 6 },
        { arbitrary: fc.integer({ min: 0, max: 3 * 24 * 60 }), weight: 1 },
      ),
      reload: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 200 }), (steps) => {
        let state = wallet();
        let newest = T0;
        const applied: number[] = [];
        const series = [
          { of: (s: WalletState) => s.fine, retentionMs: features.fineRetentionMs, held: [] as number[] },
          { of: (s: WalletState) => s.hourly, retentionMs: hourlyKeptMs(features), held: [] as number[] },
        ];
        steps.forEach(({ late, gapMinutes, reload }, i) => {
          const atMs = late ? newest - gapMinutes * MINUTE * 7 : (newest += gapMinutes * MINUTE);
          const side = deposit(atMs, `ref:p-${i % 7}`);
          const last = Math.max(state.lastEventMs || atMs, atMs);
          for (const s of series) {
            // Applied into this series only while inside its retention at that moment.
            if (Math.floor(atMs / s.of(state).sizeMs) >= retainedFrom(s.of(state), last, s.retentionMs))
              s.held.push(atMs);
          }
          applySide(state, side, features);
          applied.push(atMs);
          if (reload) state = decodeWalletState('w-1', encodeWalletState(state), features);
          for (const s of series) {
            const buckets = s.of(state);
            const from = retainedFrom(buckets, state.lastEventMs, s.retentionMs);
            const expected = new Set(
              s.held.map((t) => Math.floor(t / buckets.sizeMs)).filter((index) => index >= from),
            );
            expect(new Set(bucketsOf(buckets).keys())).toEqual(expected);
          }
        });
        expect(state.lifetime.inCount).toBe(applied.length);
      }),
      { numRuns: 300, seed: 20261127 },
    );
  });

  it('caps each counterparty set, evicting the payer seen longest ago, and counts every new payer', () => {
    const capped = featureConfig({ COUNTERPARTY_CAP: '5' });
    const state = wallet();
    for (let i = 0; i < 8; i++) applySide(state, deposit(T0 + i * MINUTE, `ref:p${i}`), capped);
    applySide(state, deposit(T0 + 9 * MINUTE, 'ref:p3'), capped);
    expect([...state.payers.keys()].sort()).toEqual(['ref:p3', 'ref:p4', 'ref:p5', 'ref:p6', 'ref:p7']);
    const late = applySide(state, deposit(T0 - HOUR, 'ref:late'), capped);
    expect(late.newCounterparty).toBe(true);
    expect(state.payers.has('ref:late')).toBe(false);
    expect(state.lifetime.payersEver).toBe(9);
  });

  it('keeps long counterparty ids within the byte budget', () => {
    const state = wallet();
    for (let i = 0; i < 400; i++)
      applySide(state, deposit(T0 + i * MINUTE, `ref:${'x'.repeat(120)}-${i}`), features);
    const bytes = [...state.payers.keys()].reduce((sum, id) => sum + id.length + 8, 0);
    expect(bytes).toBeLessThanOrEqual(COUNTERPARTY_BYTES_MAX);
    expect(state.payers.size).toBeGreaterThan(100);
    expect(state.payers.has(`ref:${'x'.repeat(120)}-399`)).toBe(true);
  });
});

describe('record size', () => {
  it('keeps a typical wallet (12 events in a day from 6 payers) well under 1 KB', () => {
    const state = wallet();
    feed(
      state,
      Array.from({ length: 12 }, (_, i) =>
        deposit(T0 + i * 2 * HOUR, `ref:card-${400_000 + (i % 6)}`, { amount: 30_000 + i * 1_700 }),
      ),
      features,
    );
    const size = encodeWalletState(state).length;
    console.log(`typical wallet record: ${size} bytes`);
    expect(size).toBeLessThan(1024);
  });

  it('holds 1,000 distinct payers of 13-character ids at the counterparty cap within 64 KB', () => {
    const state = wallet();
    for (let i = 0; i < 1_000; i++)
      applySide(state, deposit(T0 + i * 30_000, `ref:card-${1_000 + i}`), features);
    expect(state.payers.size).toBe(features.counterpartyCap);
    const size = encodeWalletState(state).length;
    console.log(`1,000 payers: ${size} bytes`);
    expect(size).toBeLessThanOrEqual(64 * 1024);
  });

  it('stays within 64 KB after 200,000 events, de-duplication included', () => {
    const state = wallet();
    const view = new WalletView(state, features);
    const span = 20 * DAY;
    for (let i = 0; i < 200_000; i++) {
      const at = T0 + Math.floor((i * span) / 200_000);
      const side =
        i % 4 === 3
          ? sideOf('w-1', {
              eventId: `o-${i}`,
              atMs: at,
              from: 'w-1',
              to: `ref:bank-${i % 5_000}`,
              type: 'withdrawal',
              amount: 50_000 + (i % 977) * 100,
              offset: i,
              partition: i % 48,
              streamKey: `inc1/${i % 48}`,
            })
          : sideOf('w-1', {
              eventId: `i-${i}`,
              atMs: at,
              from: i % 2 ? `ref:card-${i % 50_000}` : `w-${i % 20_000}`,
              to: 'w-1',
              type: i % 3 ? 'deposit' : 'payment',
              amount: 10_000 + (i % 1_361) * 100,
              offset: i,
              partition: i % 48,
              streamKey: `inc1/${i % 48}`,
            });
      applySide(state, side, features);
      if (i % 1_000 === 0) view.window('1h');
    }
    expect(state.payers.size).toBe(features.counterpartyCap);
    expect(state.payees.size).toBe(features.counterpartyCap);
    expect(recentCount(state)).toBe(features.recentEventIds);
    const size = encodeWalletState(state).length;
    console.log(`busy wallet after 200,000 events: ${size} bytes`);
    expect(size).toBeLessThanOrEqual(64 * 1024);
    expect(bucketsOf(state.hourly).get(Math.floor(state.lastEventMs / HOUR))![FIELD.inCount]).toBeGreaterThan(
      0,
    );
  });

  it('stays writable when a hostile sender piles maximal amounts past the exact-integer range', () => {
    const state = wallet();
    const huge = 2 ** 50; // eight of these pass Number.MAX_SAFE_INTEGER
    for (let i = 0; i < 12; i++)
      applySide(state, deposit(T0 + i * MINUTE, 'ref:card-1', { amount: huge }), features);
    expect(state.lifetime.inSum).toBe(Number.MAX_SAFE_INTEGER);
    expect(state.payers.get('ref:card-1')!.sum).toBe(Number.MAX_SAFE_INTEGER);
    expect(bucketsOf(state.hourly).get(Math.floor(T0 / HOUR))![FIELD.inSum]).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => encodeWalletState(state)).not.toThrow();
  });

  it('stays within 64 KB in the worst case: 128-character ids both ways, every bucket busy, 64 streams', () => {
    const state = wallet();
    const longId = (kind: string, i: number) => `${kind}-${i}-`.padEnd(128, 'x');
    const span = 15 * DAY;
    const events = 40_000;
    for (let i = 0; i < events; i++) {
      const at = T0 + Math.floor((i * span) / events);
      const stream = `${'f'.repeat(8)}${i % 200}/${i % 200}`;
      const common = {
        eventId: `e-${i}`.padEnd(128, 'y'),
        atMs: at,
        amount: 9_999_000_000 + i * 977, // near MAX_AMOUNT (100,000,000 RUB), in minor units
        offset: 1_000_000_000 + i,
        partition: i % 200,
        streamKey: stream,
      };
      applySide(
        state,
        i % 2
          ? sideOf('w-1', { ...common, from: 'w-1', to: longId('payee', i), type: 'transfer' })
          : sideOf('w-1', { ...common, from: longId('payer', i), to: 'w-1', type: 'transfer' }),
        features,
      );
    }
    expect(recentCount(state)).toBe(features.recentEventIds);
    const size = encodeWalletState(state).length;
    console.log(`worst-case wallet: ${size} bytes`);
    expect(size).toBeLessThanOrEqual(64 * 1024);
  });
});
