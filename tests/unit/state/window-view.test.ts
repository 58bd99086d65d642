// Window features and hourly history from the state record: the documented edges, sliding in event
// time, the running figures against a plain reference on random streams, and order independence.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketsOf } from '../../../services/detector/src/state/bucket-series.js';
import type { WalletSide } from '../../../services/detector/src/domain/transaction.js';
import { applySide, checkSide, recordSeen } from '../../../services/detector/src/state/apply-side.js';
import {
  decodeWalletState,
  encodeWalletState,
} from '../../../services/detector/src/state/wallet-state-codec.js';
import { WalletStateCache } from '../../../services/detector/src/state/wallet-state-cache.js';
import {
  emptyWalletState,
  type Counterparty,
  type WalletState,
} from '../../../services/detector/src/state/wallet-state.js';
import { WalletView, type WindowFeatures } from '../../../services/detector/src/state/window-view.js';
import { referenceHistory, referenceWindows } from '../../support/reference-windows.js';
import { featureConfig, feed, sideOf, type EventSpec } from '../../support/wallet-sides.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 10, 12, 0, 0);
const features = featureConfig();
const WALLET = 'w-1';

let offset = 0;
function deposit(atMs: number, payer = 'ref:card-1', over: Partial<EventSpec> = {}): WalletSide {
  offset += 1;
  return sideOf(WALLET, { eventId: `ev-${offset}`, atMs, from: payer, to: WALLET, offset, ...over });
}

function fresh(): WalletState {
  return emptyWalletState(WALLET, features.fineBucketMs);
}

/** Every window as plain data (what the reference computes). */
function windowsOf(view: WalletView): Record<string, WindowFeatures> {
  return Object.fromEntries(view.windows().map((w) => [w.name, { ...w }]));
}

describe('window edges and sliding', () => {
  it('counts an event exactly one window length before the newest out, and one bucket later in', () => {
    const state = fresh();
    feed(state, [deposit(T0 - HOUR), deposit(T0 - HOUR + 5 * MINUTE), deposit(T0)], features);
    const view = new WalletView(state, features);
    expect(view.window('1h')).toMatchObject({
      inCount: 2,
      startMs: T0 - HOUR + 5 * MINUTE,
      endMs: T0 + 5 * MINUTE,
    });
    expect(view.window('6h').inCount).toBe(3);
  });

  it('slides the windows forward as event time advances, never by the wall clock', () => {
    const state = fresh();
    const view = new WalletView(state, features);
    for (let i = 0; i < 18; i++) {
      feed(state, [deposit(T0 + i * 10 * MINUTE, `ref:p${i}`, { amount: 10_000 + i * 100 })], features);
      expect(view.window('1h').inCount).toBe(Math.min(i + 1, 6));
    }
    expect(view.window('1h')).toMatchObject({ inCount: 6, inMax: 11_700, distinctPayers: 6 });
    expect(view.window('6h')).toMatchObject({ inCount: 18, distinctPayers: 18 });
    feed(state, [deposit(T0 + 5 * HOUR, 'ref:late-comer', { amount: 5_000 })], features);
    expect(view.window('1h')).toMatchObject({ inCount: 1, inSum: 5_000, inMax: 5_000, distinctPayers: 1 });
    expect(view.window('24h').inCount).toBe(19);
  });

  it('counts new and repeat payers by their first payment and their count', () => {
    const state = fresh();
    const start = T0 - HOUR + 5 * MINUTE; // the 1 h window's first instant once T0 is the newest event
    feed(
      state,
      [
        deposit(T0 - 3 * DAY, 'ref:old'),
        deposit(start - 1, 'ref:before'),
        deposit(start, 'ref:at-edge'),
        deposit(T0 - 30 * MINUTE, 'ref:old'),
        deposit(T0 - 20 * MINUTE, 'ref:new'),
      ],
      features,
    );
    feed(state, [deposit(T0, 'ref:new'), deposit(T0, 'ref:once')], features);
    expect(new WalletView(state, features).window('1h')).toMatchObject({
      startMs: start,
      distinctPayers: 4,
      newPayers: 3, // ref:at-edge, ref:new and ref:once first paid inside the hour
      repeatPayers: 2, // ref:old and ref:new paid more than once
    });
  });

  it('counts a late event inside retention in every window it falls into', () => {
    const state = fresh();
    const view = new WalletView(state, features);
    feed(state, [deposit(T0, 'ref:a')], features);
    expect(view.window('6h').inCount).toBe(1);
    feed(state, [deposit(T0 - 2 * HOUR, 'ref:b', { amount: 99_000 })], features);
    expect(view.window('1h').inCount).toBe(1);
    expect(view.window('6h')).toMatchObject({ inCount: 2, inMax: 99_000, distinctPayers: 2 });
    feed(state, [deposit(T0 - 15 * DAY, 'ref:c')], features);
    expect(view.window('7d').inCount).toBe(2);
    expect(view.lifetime.inCount).toBe(3);
  });

  it('gives the complete hours before the newest event, the current hour left out', () => {
    const state = fresh();
    feed(
      state,
      [deposit(T0 - 2 * HOUR + MINUTE), deposit(T0 - 2 * HOUR + 2 * MINUTE), deposit(T0 + 30 * MINUTE)],
      features,
    );
    const view = new WalletView(state, features);
    expect(view.hourlyHistory(3)).toEqual({
      counts: [0, 2, 0],
      sums: [0, 60_000, 0],
      donationCounts: [0, 2, 0],
      endHourMs: T0,
    });
    feed(state, [deposit(T0 - HOUR + MINUTE, 'ref:late', { type: 'payment', amount: 7_000 })], features);
    expect(view.hourlyHistory(3).counts).toEqual([0, 2, 1]);
    expect(view.hourlyHistory(3).donationCounts).toEqual([0, 2, 0]);
  });

  it('hands out one features object per window, refreshed in place when the state changed', () => {
    const state = fresh();
    feed(state, [deposit(T0)], features);
    const view = new WalletView(state, features);
    const first = view.window('24h');
    const copy = { ...first };
    expect(new WalletView(state, features).window('24h')).toBe(first);
    feed(state, [deposit(T0 + MINUTE, 'ref:other')], features);
    expect(view.window('24h')).toBe(first);
    expect(first).toMatchObject({ inCount: 2, distinctPayers: 2 });
    expect(copy).toMatchObject({ inCount: 1, distinctPayers: 1 });
    // A past window is a new object each time: it never changes under its reader.
    expect(view.windowEndingAt('24h', T0 - 2 * 24 * HOUR)).not.toBe(
      view.windowEndingAt('24h', T0 - 2 * 24 * HOUR),
    );
  });
});

// Random three-week streams into one wallet: deposits, payments and transfers in and out, small,
// ordinary and near-threshold amounts, events out of order, records redelivered, ids re-sent.
interface Step {
  kind: 'event' | 'redeliver' | 'resend' | 'conflict';
  atMs: number;
  direction: 'in' | 'out';
  type: 'deposit' | 'payment' | 'transfer' | 'withdrawal';
  amount: number;
  party: number;
  pick: number;
  partition: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom<Step['kind']>(
    'event',
    'event',
    'event',
    'event',
    'event',
    'event',
    'redeliver',
    'resend',
    'conflict',
  ),
  // Some times on bucket boundaries, where the window edges are.
  atMs: fc.oneof(
    fc.integer({ min: 0, max: 21 * DAY }),
    fc.nat(21 * 24 * 12).map((i) => i * 5 * MINUTE),
  ),
  direction: fc.constantFrom<Step['direction']>('in', 'in', 'out'),
  type: fc.constantFrom<Step['type']>('deposit', 'payment', 'transfer', 'withdrawal'),
  amount: fc.oneof(
    fc.integer({ min: 100, max: 100_000 }),
    fc.integer({ min: features.nearThresholdFrom, max: features.reportingThreshold }),
    fc.integer({ min: 100_000, max: 5_000_000 }),
  ),
  party: fc.nat(40),
  pick: fc.nat(),
  partition: fc.nat(2),
});

/** Turns steps into records in arrival order, plus the sides that must count (each event once). */
function recordsOf(steps: Step[], base: number) {
  const records: WalletSide[] = [];
  const applied: WalletSide[] = [];
  const offsets = [0, 0, 0];
  let clock = base;
  steps.forEach((s, i) => {
    if (s.kind !== 'event' && applied.length > 0) {
      if (s.kind === 'redeliver') {
        records.push(records[s.pick % records.length]!);
        return;
      }
      // Re-sent or conflicting ids stay within the ring's reach (fewer than RECENT_EVENT_IDS since).
      const recent = applied.slice(-Math.min(applied.length, features.recentEventIds - 1));
      const original = recent[s.pick % recent.length]!.event;
      offsets[s.partition]! += 1;
      const spec: EventSpec = {
        eventId: original.eventId,
        type: original.type,
        atMs: original.occurredAtMs,
        amount: original.amount + (s.kind === 'conflict' ? 1 : 0),
        from: original.from,
        to: original.to,
        offset: offsets[s.partition]!,
        partition: s.partition,
      };
      records.push(sideOf(WALLET, spec));
      return;
    }
    // Mostly forward in time (gaps up to 6 h), one step in five anywhere in the three weeks (late);
    // a third snapped to a 5-minute boundary, where the window edges are.
    if (i % 5 !== 4) clock += s.atMs % (6 * HOUR);
    const at = i % 5 === 4 ? base + s.atMs : clock;
    const atMs = s.party % 3 === 0 ? Math.floor(at / (5 * MINUTE)) * 5 * MINUTE : at;
    const party = s.party < 20 ? `ref:card-${s.party}` : `w-${s.party}`;
    const type =
      s.direction === 'in'
        ? s.type === 'withdrawal'
          ? 'deposit'
          : s.type
        : s.type === 'deposit'
          ? 'withdrawal'
          : s.type;
    offsets[s.partition]! += 1;
    const side = sideOf(WALLET, {
      eventId: `e-${base}-${i}`,
      type,
      atMs,
      amount: s.amount,
      from: s.direction === 'in' ? party : WALLET,
      to: s.direction === 'in' ? WALLET : party,
      offset: offsets[s.partition]!,
      partition: s.partition,
    });
    records.push(side);
    applied.push(side);
  });
  return { records, applied };
}

describe('window features against the reference', () => {
  it('match on random three-week streams with duplicates, conflicts, late events and chunks reloaded or cached', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 160 }),
        fc.oneof(
          fc.integer({ min: 0, max: 10 * DAY }),
          fc.nat(10 * 24).map((h) => h * HOUR),
        ),
        fc.integer({ min: 1, max: 60 }),
        fc.boolean(),
        (steps, shift, chunk, viaCache) => {
          const { records, applied } = recordsOf(steps, T0 + shift);
          const cache = new WalletStateCache({ maxBytes: 1e9, maxIdleMs: DAY });
          let state = fresh();
          let view = new WalletView(state, features);
          const counted: WalletSide[] = [];
          const bodies = new Map<string, number>();
          const delivered = new Set<string>();
          records.forEach((side, i) => {
            // Chunk boundaries: the record is written and loaded again, or the next chunk takes the
            // written state from the process's cache; either way views start over.
            if (i > 0 && i % chunk === 0) {
              if ((i / chunk) % 2 === 0 || !viaCache) {
                state = decodeWalletState(WALLET, encodeWalletState(state), features);
              } else {
                cache.put(state, Date.now());
                state = cache.take(WALLET)!.state;
              }
              view = new WalletView(state, features);
            }
            const { eventId, bodyHash, source } = side.event;
            const record = `${source.streamKey}@${source.offset}`;
            const body = bodies.get(eventId);
            const expected = delivered.has(record)
              ? 'duplicate'
              : body === undefined
                ? 'new'
                : body === bodyHash
                  ? 'duplicate'
                  : 'conflict';
            delivered.add(record);
            const verdict = checkSide(state, side);
            expect(verdict).toBe(expected);
            if (verdict === 'new') {
              applySide(state, side, features);
              counted.push(side);
              bodies.set(eventId, bodyHash);
            } else recordSeen(state, source);
            // The rules read windows after events: sometimes one, sometimes all, sometimes none.
            if (i % 3 === 0) view.window(features.windows[i % features.windows.length]!.name);
            if (i % 7 === 0) expect(windowsOf(view)).toEqual(referenceWindows(counted, features));
          });
          expect(counted).toEqual(applied);
          expect(windowsOf(view)).toEqual(referenceWindows(applied, features));
          expect(
            windowsOf(
              new WalletView(decodeWalletState(WALLET, encodeWalletState(state), features), features),
            ),
          ).toEqual(referenceWindows(applied, features));
          const hours = features.baselineDays * 24;
          expect(view.hourlyHistory(hours)).toEqual(referenceHistory(applied, features, hours));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('give the same features and buckets whatever order the events arrive in', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), (steps) => {
        const { applied } = recordsOf(
          steps.map((s) => ({ ...s, kind: 'event' as const })),
          T0,
        );
        // Offsets in arrival order: each order is a stream of its own.
        const inOrder = (sides: WalletSide[]) =>
          sides.map((s, i) =>
            sideOf(WALLET, {
              eventId: s.event.eventId,
              type: s.event.type,
              atMs: s.event.occurredAtMs,
              amount: s.event.amount,
              from: s.event.from,
              to: s.event.to,
              offset: i + 1,
            }),
          );
        const forward = fresh();
        const backward = fresh();
        feed(forward, inOrder(applied), features);
        feed(backward, inOrder([...applied].reverse()), features);
        expect(windowsOf(new WalletView(backward, features))).toEqual(
          windowsOf(new WalletView(forward, features)),
        );
        const sorted = (s: WalletState) => ({
          fine: [...bucketsOf(s.fine)].sort(([a], [b]) => a - b),
          hourly: [...bucketsOf(s.hourly)].sort(([a], [b]) => a - b),
          payers: [...s.payers].sort(([a], [b]) => a.localeCompare(b)),
          payees: [...s.payees].sort(([a], [b]) => a.localeCompare(b)),
          lifetime: s.lifetime,
          firstSeenMs: s.firstSeenMs,
          lastEventMs: s.lastEventMs,
        });
        expect(sorted(backward)).toEqual(sorted(forward));
      }),
      { numRuns: 150 },
    );
  });

  it('does not rescan a busy wallet for every event of a chunk', () => {
    const state = fresh();
    for (let i = 0; i < 1_000; i++) applySide(state, deposit(T0 + i * 1_000, `ref:card-${i}`), features);
    const view = new WalletView(state, features);
    view.windows();
    // A chunk of 500 events within one 5-minute bucket: the windows never move, so every read is
    // the running figures, not a pass over 1,000 payers and the buckets.
    const start = Math.ceil((T0 + 1_000_000) / features.fineBucketMs) * features.fineBucketMs;
    feed(state, [deposit(start, 'ref:card-0')], features);
    view.windows();
    const payersScan = spyOnIteration(state);
    for (let i = 0; i < 500; i++) {
      feed(state, [deposit(start + i * 100, `ref:card-${i % 700}`)], features);
      view.windows();
    }
    expect(payersScan()).toBe(0);
    expect(windowsOf(view)).toEqual(
      windowsOf(new WalletView(decodeWalletState(WALLET, encodeWalletState(state), features), features)),
    );
  });
});

describe('the window as it stood at an older payment', () => {
  const BUCKET_FIELDS = [
    'inCount',
    'inSum',
    'donationCount',
    'smallDonationCount',
    'purchaseCount',
    'nearThresholdCount',
    'outCount',
    'passOnCount',
  ] as const;

  it('keeps a payment that came before a late one in its window, though newer events are applied', () => {
    const state = fresh();
    const near = features.nearThresholdFrom + 10_000;
    // Three deposits just below the threshold within six hours, and, applied first (from another
    // partition), a transfer out the next afternoon.
    feed(
      state,
      [
        sideOf(WALLET, {
          eventId: 'out-1',
          atMs: T0 + 26 * HOUR,
          from: WALLET,
          to: 'w-2',
          type: 'transfer',
          offset: 1,
        }),
        deposit(T0, 'ref:term-1', { amount: near }),
        deposit(T0 + 6 * HOUR, 'ref:term-2', { amount: near }),
        deposit(T0 + 6 * HOUR + 30 * MINUTE, 'ref:card-9', { amount: near }),
      ],
      features,
    );
    const view = new WalletView(state, features);
    expect(view.window('24h').nearThresholdCount).toBe(2);
    const atPayment = view.windowEndingAt('24h', T0 + 6 * HOUR + 30 * MINUTE);
    expect(atPayment).toMatchObject({ nearThresholdCount: 3, distinctPayers: 3, outCount: 0 });
    // At the newest event it is the same window.
    expect(view.windowEndingAt('24h', T0 + 26 * HOUR)).toBe(view.window('24h'));
  });

  it('equals the reference over the events up to its bucket, on random streams', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            atMs: fc.integer({ min: 0, max: 3 * DAY }),
            out: fc.boolean(),
            type: fc.constantFrom<'deposit' | 'payment' | 'transfer'>('deposit', 'payment', 'transfer'),
            amount: fc.integer({ min: 100, max: 2_000_000 }),
            payer: fc.nat(30),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        fc.nat(),
        (events, pick) => {
          const sides = events.map((e, i) =>
            e.out
              ? sideOf(WALLET, {
                  eventId: `e${i}`,
                  atMs: T0 + e.atMs,
                  from: WALLET,
                  to: `w-${e.payer}`,
                  type: 'transfer',
                  amount: e.amount,
                  offset: i + 1,
                })
              : sideOf(WALLET, {
                  eventId: `e${i}`,
                  atMs: T0 + e.atMs,
                  from: `ref:p${e.payer}`,
                  to: WALLET,
                  type: e.type,
                  amount: e.amount,
                  offset: i + 1,
                }),
          );
          const state = fresh();
          feed(state, sides, features);
          const view = new WalletView(state, features);
          const atMs = sides[pick % sides.length]!.event.occurredAtMs;
          for (const spec of features.windows) {
            const b = spec.resolutionMs;
            const before = sides.filter((s) => Math.floor(s.event.occurredAtMs / b) <= Math.floor(atMs / b));
            const fineGone =
              b === features.fineBucketMs &&
              Math.floor(atMs / b) - spec.lengthMs / b + 1 <
                Math.floor(state.lastEventMs / b) - features.fineRetentionMs / b + 1;
            if (fineGone) continue;
            const expected = referenceWindows(before, features)[spec.name]!;
            const actual = view.windowEndingAt(spec.name, atMs);
            for (const field of BUCKET_FIELDS) expect(actual[field]).toBe(expected[field]);
            expect(actual.startMs).toBe(expected.startMs);
            // Counterparties count when their first and latest payments bracket the window.
            const bracket = (c: Counterparty) => c.firstMs < actual.endMs && c.lastMs >= actual.startMs;
            const payers = [...state.payers.values()].filter(bracket);
            expect(actual.distinctPayers).toBe(payers.length);
            expect(actual.newPayers).toBe(payers.filter((c) => c.firstMs >= actual.startMs).length);
            expect(actual.repeatPayers).toBe(payers.filter((c) => c.count > 1).length);
            expect(actual.distinctPayees).toBe([...state.payees.values()].filter(bracket).length);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** Counts passes over the wallet's payer set (any way of iterating it) from now on. */
function spyOnIteration(state: WalletState): () => number {
  let passes = 0;
  const payers = state.payers;
  for (const method of [
    'values',
    'keys',
    'entries',
    'slotsInOrder',
    'collectTimes',
    Symbol.iterator,
  ] as const) {
    const original = (payers[method] as (...args: unknown[]) => unknown).bind(payers);
    Object.defineProperty(payers, method, {
      value: (...args: unknown[]) => {
        passes += 1;
        return original(...args);
      },
    });
  }
  return () => passes;
}
