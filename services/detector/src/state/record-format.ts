// What the wallet record's two codecs share: the fixed header the compare-and-set script reads, the
// size bound, and how a time is coded (relative to a reference time T, zigzag, 0 for none). The
// snapshot (state/wallet-state-codec.ts) and the journal appended to it (state/wallet-journal.ts) both
// write through these, so one record reads with one set of rules.
import { FlowGuardError } from '../errors.js';
import type { BinaryReader } from './binary-reader.js';
import type { BinaryWriter } from './binary-writer.js';

/** A whole record: the snapshot alone. */
export const SNAPSHOT_FORMAT = 1;
/** A snapshot followed by journal entries. */
export const JOURNAL_FORMAT = 2;
export const VERSION_BYTES = 6;
/** Bytes before the body: the format byte and the 48-bit version. */
export const RECORD_HEADER_BYTES = 1 + VERSION_BYTES;
/** A record, snapshot and journal, never grows past this. */
export const RECORD_BYTES_MAX = 64 * 1024;
/** An event's id and body fingerprints are 52-bit numbers, stored in 7 bytes each. */
export const FINGERPRINT_BYTES = 7;

/** A time as T − time, zigzag, plus one: 0 is NaN. */
export function writeTime(w: BinaryWriter, t: number, ms: number): void {
  w.varint(Number.isNaN(ms) ? 0 : zigzagOf(t - ms) + 1);
}

export function readTime(r: BinaryReader, t: number): number {
  const code = r.varint();
  return code === 0 ? Number.NaN : t - zigzagValue(code - 1);
}

/** A nullable time: 0 is null. */
export function writeOptionalTime(w: BinaryWriter, t: number, ms: number | null): void {
  if (ms !== null && Number.isNaN(ms)) {
    throw new FlowGuardError('FG_STATE_INVALID', 'a nullable time is NaN: the record cannot carry it');
  }
  w.varint(ms === null ? 0 : zigzagOf(t - ms) + 1);
}

export function readOptionalTime(r: BinaryReader, t: number): number | null {
  const code = r.varint();
  return code === 0 ? null : t - zigzagValue(code - 1);
}

export function zigzagOf(value: number): number {
  if (!Number.isSafeInteger(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER / 2) {
    throw new FlowGuardError('FG_STATE_INVALID', `${value} is not a time the record can carry`);
  }
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

export function zigzagValue(code: number): number {
  return code % 2 === 0 ? code / 2 : -(code + 1) / 2;
}
