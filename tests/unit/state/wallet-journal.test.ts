// A record with a journal must load as exactly the state the chunks that wrote it held: the snapshot,
// then the journalled sides applied again, in order. Compared through the whole-record encoding, which
// carries every stored field in map order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFlowGuardError } from '../../../services/detector/src/errors.js';
import {
  applySide,
  checkSide,
  recordSeen,
  rememberSample,
} from '../../../services/detector/src/state/apply-side.js';
import {
  JOURNAL_BYTES_ALLOWANCE,
  JOURNAL_ENTRIES_MAX,
  journalAppend,
  type JournalEntry,
} from '../../../services/detector/src/state/wallet-journal.js';
import { RECORD_HEADER_BYTES } from '../../../services/detector/src/state/record-format.js';
import {
  decodeWalletState,
  encodeWalletState,
} from '../../../services/detector/src/state/wallet-state-codec.js';
import { emptyWalletState, type WalletState } from '../../../services/detector/src/state/wallet-state.js';
import { featureConfig, sideOf, type EventSpec } from '../../support/wallet-sides.js';

const features = featureConfig();
const WALLET = 'w-journal';
const T0 = Date.UTC(2026, 10, 1);
const MINUTE = 60_000;

/** What the stored record holds after a write: `state` as of `bytes`, then `appends` applied on top. */
function storedAfter(bytes: Buffer, appends: Buffer[]): Buffer {
  let record = bytes;
  for (const append of appends) {
    const header = append.subarray(0, RECORD_HEADER_BYTES);
    record = Buffer.concat([
      header,
      record.subarray(RECORD_HEADER_BYTES),
      append.subarray(RECORD_HEADER_BYTES),
    ]);
  }
  return record;
}

interface Step {
  minutes: number;
  payer: number;
  amount: number;
  out: boolean;
  duplicate: boolean;
  opened: boolean;
}

const step: fc.Arbitrary<Step> = fc.record({
  minutes: fc.integer({ min: -600, max: 600 }),
  payer: fc.nat(8),
  amount: fc.integer({ min: 1, max: 5_000_000 }),
  out: fc.boolean(),
  duplicate: fc.boolean(),
  opened: fc.boolean(),
});

/** Applies steps as a chunk does; returns the journal entries it would append. */
function applySteps(state: WalletState, steps: Step[], firstOffset: number): JournalEntry[] {
  const entries: JournalEntry[] = [];
  let offset = firstOffset;
  let previous: EventSpec | undefined;
  steps.forEach((s, i) => {
    const counterparty = s.payer % 3 === 0 ? `w-other-${s.payer}` : `ref:card-${s.payer}`;
    // A duplicate is the previous event sent again as a new record: same id and body, a new offset.
    const spec: EventSpec =
      s.duplicate && previous
        ? { ...previous, offset: offset++ }
        : {
            eventId: `e-${firstOffset}-${i}`,
            type: s.out ? 'withdrawal' : 'deposit',
            atMs: T0 + s.minutes * MINUTE,
            amount: s.amount,
            from: s.out ? WALLET : counterparty,
            to: s.out ? `ref:bank-${s.payer}` : WALLET,
            toOpenedAtMs: s.opened && !s.out ? T0 - 30 * 86_400_000 : undefined,
            offset: offset++,
          };
    previous = spec;
    const side = sideOf(WALLET, spec);
    const check = checkSide(state, side);
    if (check === 'duplicate') {
      if (recordSeen(state, side.event.source)) {
        entries.push({
          kind: 'seen',
          streamKey: side.event.source.streamKey,
          offset: side.event.source.offset,
        });
      }
      return;
    }
    if (check === 'conflict') return;
    applySide(state, side, features);
    rememberSample(state, side.event.eventId, side.event.occurredAtMs);
    entries.push({ kind: 'applied', side });
  });
  return entries;
}

describe('wallet record journal', () => {
  it('loads a snapshot with appended journals as the state the writers held', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 12 }),
        fc.array(fc.array(step, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }),
        (before, chunks) => {
          const state = emptyWalletState(WALLET, features.fineBucketMs);
          applySteps(state, before, 0);
          state.version = 3;
          const snapshot = encodeWalletState(state);
          let loaded = decodeWalletState(WALLET, snapshot, features);
          const appends: Buffer[] = [];
          let offset = 1_000;
          for (const chunk of chunks) {
            const entries = applySteps(state, chunk, offset);
            applySteps(loaded, chunk, offset);
            offset += 100;
            const append = journalAppend(loaded, entries, loaded.version + 1);
            if (append === null) {
              // Only past the journal's bounds (or with nothing to append) is the record written whole:
              // the same entries on an empty journal measure what they would have added.
              const record = loaded.memo.record;
              const empty = { ...record, journalBytes: 0, journalEntries: 0 };
              const alone = journalAppend(
                { ...loaded, memo: { ...loaded.memo, record: empty } },
                entries,
                loaded.version + 1,
              );
              const bytes =
                alone === null ? Infinity : record.journalBytes + alone.length - RECORD_HEADER_BYTES;
              expect(
                entries.length === 0 ||
                  record.journalEntries + entries.length > JOURNAL_ENTRIES_MAX ||
                  bytes > Math.max(JOURNAL_BYTES_ALLOWANCE, record.snapshotBytes),
              ).toBe(true);
              break;
            }
            appends.push(append);
            state.version += 1;
            loaded = decodeWalletState(WALLET, storedAfter(snapshot, appends), features);
            expect(encodeWalletState(loaded)).toEqual(encodeWalletState(state));
            expect(loaded.memo.record.snapshotBytes).toBe(snapshot.length);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the journal within its bounds: the record is written whole past them', () => {
    const state = emptyWalletState(WALLET, features.fineBucketMs);
    applySteps(
      state,
      [{ minutes: 0, payer: 1, amount: 100, out: false, duplicate: false, opened: false }],
      0,
    );
    state.version = 1;
    const snapshot = encodeWalletState(state);
    let loaded = decodeWalletState(WALLET, snapshot, features);
    const appends: Buffer[] = [];
    let offset = 10;
    for (;;) {
      const entries = applySteps(
        loaded,
        [{ minutes: appends.length + 1, payer: 2, amount: 100, out: false, duplicate: false, opened: false }],
        offset++,
      );
      const append = journalAppend(loaded, entries, loaded.version + 1);
      if (append === null) break;
      appends.push(append);
      loaded = decodeWalletState(WALLET, storedAfter(snapshot, appends), features);
    }
    const journalBytes = storedAfter(snapshot, appends).length - snapshot.length;
    expect(appends.length).toBeGreaterThan(3);
    expect(appends.length).toBeLessThanOrEqual(JOURNAL_ENTRIES_MAX);
    expect(journalBytes).toBeLessThanOrEqual(Math.max(JOURNAL_BYTES_ALLOWANCE, snapshot.length));
  });

  it('appends nothing to a record this process has not read or written', () => {
    const state = emptyWalletState(WALLET, features.fineBucketMs);
    const entries = applySteps(
      state,
      [{ minutes: 0, payer: 1, amount: 100, out: false, duplicate: false, opened: false }],
      0,
    );
    expect(journalAppend(state, entries, 1)).toBeNull();
    state.version = 4;
    expect(journalAppend(state, entries, 5)).toBeNull();
  });

  it('never crashes on a damaged journal: either a state or FG_STATE_CORRUPT', () => {
    const state = emptyWalletState(WALLET, features.fineBucketMs);
    state.version = 1;
    const snapshot = encodeWalletState(state);
    const loaded = decodeWalletState(WALLET, snapshot, features);
    const entries = applySteps(
      loaded,
      [
        { minutes: 0, payer: 1, amount: 100, out: false, duplicate: false, opened: true },
        { minutes: 1, payer: 2, amount: 900, out: true, duplicate: false, opened: false },
      ],
      0,
    );
    const record = storedAfter(snapshot, [journalAppend(loaded, entries, 2)!]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }), (flips) => {
        const bytes = Buffer.from(record);
        for (const [at, value] of flips)
          bytes[snapshot.length + (at % (bytes.length - snapshot.length))] = value;
        try {
          decodeWalletState(WALLET, bytes, features);
        } catch (error) {
          expect(
            isFlowGuardError(error, 'FG_STATE_CORRUPT') || isFlowGuardError(error, 'FG_STATE_INVALID'),
          ).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
