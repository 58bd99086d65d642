// The wallet record's journal: the sides applied since the record's snapshot, appended to it instead of
// writing the whole record again. Encoding a whole record touches every bucket and counterparty the
// wallet holds, most of them cold in the CPU's caches, while a side is a few dozen fresh bytes; a load
// decodes the snapshot and applies the journal's sides again, in order, through the same applySide.
//
// Only changes applySide, rememberSample and recordSeen make are journalled; anything else a chunk
// changes in a wallet (an alert, an overlap, an analyst flag, pending items) writes a whole snapshot.
// The journal is bounded (JOURNAL_ENTRIES_MAX entries, and no more bytes than the snapshot or
// JOURNAL_BYTES_ALLOWANCE), so a load applies at most a few sides and the record stays under 64 KB.
//
// Record with a journal (format 2): the 7-byte header with format byte 2, the snapshot body exactly as
// format 1 has it (state/wallet-state-codec.ts), then entries until the end:
//   1 | 2 (applied, in | out)  type code, occurredAtMs (zigzag), amount, counterparty, opening time
//                              (0: none, else occurredAtMs − it, zigzag, + 1), stream key, offset,
//                              id and body fingerprints (7 bytes each), eventId
//   3 (seen)                   stream key, offset: a redelivered duplicate moved the watermark
// An append is the header carrying the new version (format 2) followed by the new entries:
// write-wallet-states-n.lua overwrites the stored header with it and appends the rest.
import { TRANSACTION_TYPES } from '../../../../schemas/transaction-event.js';
import type { FeatureConfig } from '../config/feature-config.js';
import type { WalletSide } from '../domain/transaction.js';
import { applySide, recordSeen, rememberSample, type AppliedEvent, type AppliedSide } from './apply-side.js';
import type { BinaryReader } from './binary-reader.js';
import { BinaryWriter } from './binary-writer.js';
import {
  FINGERPRINT_BYTES,
  JOURNAL_FORMAT,
  RECORD_BYTES_MAX,
  RECORD_HEADER_BYTES,
  VERSION_BYTES,
  readOptionalTime,
  writeOptionalTime,
} from './record-format.js';
import type { WalletState } from './wallet-state.js';

/** Sides a load may have to apply again at most. */
export const JOURNAL_ENTRIES_MAX = 16;
/** Journal bytes allowed beside a small snapshot (a larger one allows as many as it has). */
export const JOURNAL_BYTES_ALLOWANCE = 1024;

const APPLIED_IN = 1;
const APPLIED_OUT = 2;
const SEEN = 3;

export type JournalEntry =
  { kind: 'applied'; side: WalletSide } | { kind: 'seen'; streamKey: string; offset: number };

const writer = new BinaryWriter(1024);

/**
 * The bytes that append `entries` to the wallet's stored record and give it `version`, or null when
 * the record has to be written whole instead: this process does not know the stored record's make-up,
 * there is none yet, or the journal would outgrow its bounds.
 */
export function journalAppend(state: WalletState, entries: JournalEntry[], version: number): Buffer | null {
  const record = state.memo.record;
  if (!entries.length || state.version === 0 || Number.isNaN(record.snapshotBytes)) return null;
  if (record.journalEntries + entries.length > JOURNAL_ENTRIES_MAX) return null;
  const w = writer;
  w.reset();
  w.byte(JOURNAL_FORMAT);
  w.fixed(version, VERSION_BYTES);
  for (const entry of entries) writeEntry(w, entry);
  const journalBytes = record.journalBytes + w.length - RECORD_HEADER_BYTES;
  if (journalBytes > Math.max(JOURNAL_BYTES_ALLOWANCE, record.snapshotBytes)) return null;
  if (record.snapshotBytes + journalBytes > RECORD_BYTES_MAX) return null;
  return w.toBuffer();
}

function writeEntry(w: BinaryWriter, entry: JournalEntry): void {
  if (entry.kind === 'seen') {
    w.byte(SEEN);
    w.string(entry.streamKey);
    w.varint(entry.offset);
    return;
  }
  const { side } = entry;
  const event = side.event;
  w.byte(side.direction === 'in' ? APPLIED_IN : APPLIED_OUT);
  w.varint(TRANSACTION_TYPES.indexOf(event.type));
  w.zigzag(event.occurredAtMs);
  w.varint(event.amount);
  w.string(side.counterparty);
  writeOptionalTime(w, event.occurredAtMs, side.openedAtMs ?? null);
  w.string(event.source.streamKey);
  w.varint(event.source.offset);
  w.fixed(event.idHash, FINGERPRINT_BYTES);
  w.fixed(event.bodyHash, FINGERPRINT_BYTES);
  w.string(event.eventId);
}

/**
 * Applies every entry left in `r` to the state decoded from the record's snapshot, as the chunks that
 * wrote them did; returns how many there were.
 */
export function replayJournal(state: WalletState, r: BinaryReader, features: FeatureConfig): number {
  let entries = 0;
  for (; r.remaining > 0; entries++) {
    const code = r.byte();
    if (code === SEEN) {
      const streamKey = r.string();
      recordSeen(state, { streamKey, offset: r.varint() });
      continue;
    }
    if (code !== APPLIED_IN && code !== APPLIED_OUT) throw r.corrupt(`unknown journal entry ${code}`);
    const type = TRANSACTION_TYPES[r.varint()];
    if (type === undefined) throw r.corrupt('unknown transaction type in the journal');
    const occurredAtMs = r.zigzag();
    const amount = r.varint();
    const counterparty = r.string();
    const openedAtMs = readOptionalTime(r, occurredAtMs) ?? undefined;
    const streamKey = r.string();
    const offset = r.varint();
    const idHash = r.fixed(FINGERPRINT_BYTES);
    const bodyHash = r.fixed(FINGERPRINT_BYTES);
    const eventId = r.string();
    const event: AppliedEvent = {
      eventId,
      idHash,
      bodyHash,
      type,
      occurredAtMs,
      amount,
      source: { streamKey, offset },
    };
    const side: AppliedSide = {
      walletId: state.walletId,
      direction: code === APPLIED_IN ? 'in' : 'out',
      counterparty,
      openedAtMs,
      event,
    };
    applySide(state, side, features);
    rememberSample(state, eventId, occurredAtMs);
  }
  return entries;
}
