// The wallet state record's bytes: a fixed 7-byte header the compare-and-set script reads without
// decoding, then the body packed as varints with times and bucket indexes delta-coded.
//
// Layout (format 1):
//   header   [0] format byte (1)   [1..6] CAS version, unsigned 48-bit big-endian
//   body     times     lastEventMs absolute; every other time as T − time (T = lastEventMs, or 0 while
//                      the wallet has no events), zigzag; a "time" varint of 0 means NaN (or null where the
//                      field is nullable), else zigzag + 1
//            lifetime  seven varints
//            buckets   per series: sizeMs, count, then per bucket (in map order) the index as a zigzag delta
//                      from the previous one (the first from T's bucket), a bit mask of the non-zero fields
//                      and their values
//            parties   per set: count, then per entry the id front-coded against the previous id, lastMs as a
//                      zigzag delta from the previous entry's, lastMs − firstMs, count, sum
//            dedup     watermarks (stream key front-coded, offset), the ring as 7-byte fingerprints
//            then replacement, alerting, analyst, watch and pending, in WalletState order
// Maps are written in their iteration order and read back in it, so a round trip keeps it.
// Format 2 is the same record followed by journal entries: sides applied since this snapshot was
// written, appended instead of writing the record whole (state/wallet-journal.ts); a load applies them.
//
// Size (default configuration; tests/unit/state/apply-side.test.ts measures it): a typical wallet (12
// events in a day from 6 payers) takes 540-600 bytes. Whatever the traffic, a record holds at most
// 73 fine and 337 hourly buckets (about 13 KB when busy in both directions), two counterparty sets
// within COUNTERPARTY_BYTES_MAX each (about 2 × 21 KB at most), 64 watermarks (about 1.5 KB) and
// RECENT_EVENT_IDS fingerprints of 14 bytes (7 KB): under 64 KB. 200,000 events leave about 49 KB; the
// worst case (128-character ids both ways, every bucket busy with maximal amounts) about 63.9 KB.
// Alerting, analyst, watch and pending sections are bounded by their owners (pending empties on settle).
import { HOUR_MS } from '../domain/time.js';
import { FlowGuardError } from '../errors.js';
import type { FeatureConfig } from '../config/feature-config.js';
import { BinaryReader } from './binary-reader.js';
import { addToSeries, emptySeries, valueAt } from './bucket-series.js';
import { CounterpartySet } from './counterparty-set.js';
import { BinaryWriter } from './binary-writer.js';
import {
  FINGERPRINT_BYTES,
  JOURNAL_FORMAT,
  SNAPSHOT_FORMAT,
  VERSION_BYTES,
  readOptionalTime,
  readTime,
  writeOptionalTime,
  writeTime,
  zigzagOf,
  zigzagValue,
} from './record-format.js';
import { replayJournal } from './wallet-journal.js';
import {
  BUCKET_FIELDS,
  RECENT_STRIDE,
  freshMemo,
  recentCount,
  type ActiveFlag,
  type BucketSeries,
  type EffectSource,
  type OverlapEntry,
  type PendingAlert,
  type PendingSeed,
  type RuleFiringState,
  type WatchEntry,
  type WalletState,
} from './wallet-state.js';

const FIELD_COUNT = BUCKET_FIELDS.length;
const EMPTY_BUCKET: readonly number[] = BUCKET_FIELDS.map(() => 0);

const FLAG_KINDS: readonly ActiveFlag['kind'][] = ['confirmed', 'false-positive', 'blocked'];
const SEED_REASONS: readonly PendingSeed['reason'][] = ['alert', 'analyst', 'unseed'];
const SEED_RAISED_ON = 0x80;

// One writer for every encode: encoding is synchronous, so it is never shared by two at once.
const writer = new BinaryWriter(4096);

/** The record's bytes, carrying `version` in the header (the store writes state.version + 1). */
export function encodeWalletState(state: WalletState, version = state.version): Buffer {
  const w = writer;
  w.reset();
  w.byte(SNAPSHOT_FORMAT);
  w.fixed(version, VERSION_BYTES);

  const last = state.lastEventMs;
  w.varint(Number.isNaN(last) ? 0 : zigzagOf(last) + 1);
  const t = Number.isNaN(last) ? 0 : last;
  writeTime(w, t, state.firstSeenMs);
  writeOptionalTime(w, t, state.openedAtMs);
  const l = state.lifetime;
  w.varint(l.inCount);
  w.varint(l.inSum);
  w.varint(l.donationCount);
  w.varint(l.purchaseCount);
  w.varint(l.outCount);
  w.varint(l.outSum);
  w.varint(l.payersEver);

  writeSeries(w, state.fine, t);
  writeSeries(w, state.hourly, t);
  writeParties(w, state.payers, t);
  writeParties(w, state.payees, t);

  w.varint(state.dedup.watermarks.size);
  let previousKey = '';
  for (const [streamKey, offset] of state.dedup.watermarks) {
    frontCoded(w, streamKey, previousKey);
    previousKey = streamKey;
    w.varint(offset);
  }
  const recent = state.dedup.recent;
  w.varint(recentCount(state));
  // The fingerprints as they lie in memory: id, body, id, body, …
  for (let i = 0; i < recent.length; i++) w.fixed(recent[i]!, FINGERPRINT_BYTES);

  writeOptionalTime(w, t, state.replacement.flaggedAtMs);
  w.varint(state.replacement.overlap.size);
  for (const [walletId, o] of state.replacement.overlap) {
    w.string(walletId);
    w.double(o.shared);
    w.varint(o.sample.length);
    for (const id of o.sample) w.string(id);
    writeTime(w, t, o.flaggedAtMs);
  }

  const a = state.alerting;
  w.varint(a.firings.size);
  for (const [ruleId, f] of a.firings) {
    w.string(ruleId);
    w.double(f.weight);
    writeTime(w, t, f.lastFiredMs);
    w.zigzag(f.alertedRank);
    writeTime(w, t, f.alertedAtMs);
  }
  writeOptionalString(w, a.lastAlertId);
  writeOptionalTime(w, t, a.lastAlertAtMs);
  w.varint(a.alertCount);

  w.varint(state.analyst.flags.length);
  for (const f of state.analyst.flags) {
    w.string(f.flagId);
    w.byte(codeOf(FLAG_KINDS, f.kind, state));
    writeOptionalString(w, f.ruleId);
    writeTime(w, t, f.createdAtMs);
    writeOptionalTime(w, t, f.expiresAtMs);
  }

  w.varint(state.watch.entries.length);
  for (const e of state.watch.entries) {
    w.string(e.mentionId);
    w.string(e.source);
    writeOptionalString(w, e.url);
    writeTime(w, t, e.seenAtMs);
    writeTime(w, t, e.listedAtMs);
    writeTime(w, t, e.expiresAtMs);
  }
  writeOptionalTime(w, t, state.watch.alertedAtMs);

  w.varint(state.pending.alerts.length);
  for (const p of state.pending.alerts) {
    w.string(p.alertId);
    w.string(p.json);
    writeSource(w, p.source);
  }
  w.varint(state.pending.seeds.length);
  for (const s of state.pending.seeds) {
    writeSource(w, s.source);
    writeTime(w, t, s.flaggedAtMs);
    // The high bit says a list of wallets follows; a record written before the list has none (null).
    w.byte(codeOf(SEED_REASONS, s.reason, state) | (s.raisedOn ? SEED_RAISED_ON : 0));
    if (s.raisedOn) {
      w.varint(s.raisedOn.length);
      for (const walletId of s.raisedOn) w.string(walletId);
    }
  }
  const { eventIds, atMs } = state.samples;
  w.varint(eventIds.length);
  for (let i = 0; i < eventIds.length; i++) {
    w.string(eventIds[i]!);
    writeTime(w, t, atMs[i]!);
  }
  return w.toBuffer();
}

/** The CAS version in a record's header (0 for no record), without decoding the body. */
export function recordVersionOf(bytes: Buffer | null): number {
  if (bytes === null) return 0;
  const r = new BinaryReader(bytes, 0, 'wallet state record');
  const format = r.byte();
  if (format !== SNAPSHOT_FORMAT && format !== JOURNAL_FORMAT) throw r.corrupt('unknown record format');
  return r.fixed(VERSION_BYTES);
}

/**
 * The wallet state a record holds. Fine buckets stored under another FINE_BUCKET are moved to the
 * configured size (each old bucket into the one holding its start), so a config change never fails a load.
 */
export function decodeWalletState(walletId: string, bytes: Buffer, features: FeatureConfig): WalletState {
  const r = new BinaryReader(bytes, 0, `wallet state record of ${walletId}`);
  const format = r.byte();
  if (format !== SNAPSHOT_FORMAT && format !== JOURNAL_FORMAT) {
    throw r.corrupt(`unknown record format ${format}`);
  }
  const version = r.fixed(VERSION_BYTES);

  const lastCode = r.varint();
  const lastEventMs = lastCode === 0 ? Number.NaN : zigzagValue(lastCode - 1);
  const t = lastCode === 0 ? 0 : lastEventMs;
  const firstSeenMs = readTime(r, t);
  const openedAtMs = readOptionalTime(r, t);
  const lifetime = {
    inCount: r.varint(),
    inSum: r.varint(),
    donationCount: r.varint(),
    purchaseCount: r.varint(),
    outCount: r.varint(),
    outSum: r.varint(),
    payersEver: r.varint(),
  };
  const fine = resized(readSeries(r, t), features.fineBucketMs);
  const hourly = resized(readSeries(r, t), HOUR_MS);
  const payers = readParties(r, t);
  const payees = readParties(r, t);

  const watermarks = new Map<string, number>();
  let previousKey = '';
  for (let n = r.count(2); n > 0; n--) {
    const streamKey = readFrontCoded(r, previousKey);
    previousKey = streamKey;
    watermarks.set(streamKey, r.varint());
  }
  const recent: number[] = [];
  for (let n = r.count(RECENT_STRIDE * FINGERPRINT_BYTES) * RECENT_STRIDE; n > 0; n--) {
    recent.push(r.fixed(FINGERPRINT_BYTES));
  }

  const flaggedAtMs = readOptionalTime(r, t);
  const overlap = new Map<string, OverlapEntry>();
  for (let n = r.count(11); n > 0; n--) {
    const id = r.string();
    const shared = r.double();
    const sample: string[] = [];
    for (let k = r.count(); k > 0; k--) sample.push(r.string());
    overlap.set(id, { shared, sample, flaggedAtMs: readTime(r, t) });
  }

  const firings = new Map<string, RuleFiringState>();
  for (let n = r.count(12); n > 0; n--) {
    const ruleId = r.string();
    firings.set(ruleId, {
      weight: r.double(),
      lastFiredMs: readTime(r, t),
      alertedRank: r.zigzag(),
      alertedAtMs: readTime(r, t),
    });
  }
  const lastAlertId = readOptionalString(r);
  const lastAlertAtMs = readOptionalTime(r, t);
  const alertCount = r.varint();

  const flags: ActiveFlag[] = [];
  for (let n = r.count(5); n > 0; n--) {
    const flagId = r.string();
    const kind = FLAG_KINDS[r.byte()];
    if (kind === undefined) throw r.corrupt('unknown flag kind');
    flags.push({
      flagId,
      kind,
      ruleId: readOptionalString(r),
      createdAtMs: readTime(r, t),
      expiresAtMs: readOptionalTime(r, t),
    });
  }

  const entries: WatchEntry[] = [];
  for (let n = r.count(6); n > 0; n--) {
    entries.push({
      mentionId: r.string(),
      source: r.string(),
      url: readOptionalString(r) ?? undefined,
      seenAtMs: readTime(r, t),
      listedAtMs: readTime(r, t),
      expiresAtMs: readTime(r, t),
    });
  }
  const watchAlertedAtMs = readOptionalTime(r, t);

  const alerts: PendingAlert[] = [];
  for (let n = r.count(6); n > 0; n--) {
    alerts.push({ alertId: r.string(), json: r.string(), source: readSource(r) });
  }
  const seeds: PendingSeed[] = [];
  for (let n = r.count(6); n > 0; n--) {
    const source = readSource(r);
    const seedFlaggedAtMs = readTime(r, t);
    const code = r.byte();
    const reason = SEED_REASONS[code & ~SEED_RAISED_ON];
    if (reason === undefined) throw r.corrupt('unknown seed reason');
    let raisedOn: string[] | null = null;
    if (code & SEED_RAISED_ON) {
      raisedOn = [];
      for (let k = r.count(1); k > 0; k--) raisedOn.push(r.string());
    }
    seeds.push({ source, flaggedAtMs: seedFlaggedAtMs, reason, raisedOn });
  }
  const samples: WalletState['samples'] = { eventIds: [], atMs: [] };
  for (let n = r.count(2); n > 0; n--) {
    samples.eventIds.push(r.string());
    samples.atMs.push(readTime(r, t));
  }
  const snapshotBytes = bytes.length - r.remaining;
  if (format === SNAPSHOT_FORMAT) r.end();

  const state: WalletState = {
    walletId,
    version,
    openedAtMs,
    firstSeenMs,
    lastEventMs,
    lifetime,
    fine,
    hourly,
    payers,
    payees,
    samples,
    dedup: { watermarks, recent },
    replacement: { flaggedAtMs, overlap },
    alerting: { firings, lastAlertId, lastAlertAtMs, alertCount },
    analyst: { flags },
    watch: { entries, alertedAtMs: watchAlertedAtMs },
    pending: { alerts, seeds },
    memo: freshMemo(),
  };
  const journalEntries = format === JOURNAL_FORMAT ? replayJournal(state, r, features) : 0;
  state.memo.record = {
    snapshotBytes,
    journalBytes: bytes.length - snapshotBytes,
    journalEntries,
    expiresAtMs: Number.NaN,
  };
  return state;
}

function writeOptionalString(w: BinaryWriter, text: string | null | undefined): void {
  if (text === null || text === undefined) w.varint(0);
  else {
    w.varint(1);
    w.string(text);
  }
}

function readOptionalString(r: BinaryReader): string | null {
  return r.varint() === 0 ? null : r.string();
}

function writeSeries(w: BinaryWriter, series: BucketSeries, t: number): void {
  const { indexes, values } = series;
  w.varint(series.sizeMs);
  w.varint(indexes.length);
  let previous = Math.floor(t / series.sizeMs);
  for (let k = 0; k < indexes.length; k++) {
    const index = indexes[k]!;
    w.zigzag(index - previous);
    previous = index;
    const offset = k * FIELD_COUNT;
    let mask = 0;
    for (let f = 0; f < FIELD_COUNT; f++) if (values[offset + f] !== 0) mask |= 1 << f;
    w.varint(mask);
    for (let f = 0; f < FIELD_COUNT; f++) if (values[offset + f] !== 0) w.varint(values[offset + f]!);
  }
}

/**
 * Records written before the series were kept in index order may hold their buckets in any order: they
 * are read as they come and sorted once (a splice per bucket out of order made a hostile record of
 * buckets in descending order cost quadratic time).
 */
function readSeries(r: BinaryReader, t: number): BucketSeries {
  const sizeMs = r.varint();
  if (sizeMs === 0) throw r.corrupt('bucket size 0');
  const count = r.count(2);
  const series = emptySeries(sizeMs);
  const { indexes, values } = series;
  // The values list made its final size at once: pushed a field at a time, it grew six times for an
  // ordinary wallet's dozen buckets and kept up to half again as much spare room, for as long as the
  // state lives (a third of an ordinary decoded state's bucket heap).
  values.length = count * FIELD_COUNT;
  let ascending = true;
  let index = Math.floor(t / sizeMs);
  for (let k = 0; k < count; k++) {
    index += r.zigzag();
    const mask = r.varint();
    if (mask >= 1 << FIELD_COUNT) throw r.corrupt('bucket field mask names unknown fields');
    if (k > 0 && index <= indexes[k - 1]!) ascending = false;
    indexes.push(index);
    const offset = k * FIELD_COUNT;
    for (let f = 0; f < FIELD_COUNT; f++) values[offset + f] = mask & (1 << f) ? r.varint() : 0;
  }
  if (ascending) return series;
  const order = indexes.map((_, k) => k).sort((a, b) => indexes[a]! - indexes[b]!);
  const sorted = emptySeries(sizeMs);
  for (const k of order) {
    if (sorted.indexes.length > 0 && sorted.indexes[sorted.indexes.length - 1] === indexes[k]) {
      throw r.corrupt('bucket index repeated');
    }
    sorted.indexes.push(indexes[k]!);
    for (let f = 0; f < FIELD_COUNT; f++) sorted.values.push(values[k * FIELD_COUNT + f]!);
  }
  return sorted;
}

/** Buckets moved to another size (a changed FINE_BUCKET); each lands in the bucket holding its start. */
function resized(series: BucketSeries, sizeMs: number): BucketSeries {
  if (series.sizeMs === sizeMs) return series;
  const moved = emptySeries(sizeMs);
  const values = EMPTY_BUCKET.slice();
  for (let k = 0; k < series.indexes.length; k++) {
    for (let f = 0; f < FIELD_COUNT; f++) values[f] = valueAt(series, k, f);
    const target = Math.floor((series.indexes[k]! * series.sizeMs) / sizeMs);
    addToSeries(moved, target, values);
  }
  return moved;
}

function writeParties(w: BinaryWriter, parties: CounterpartySet, t: number): void {
  w.varint(parties.size);
  let previousId = '';
  let previousLast = t;
  for (const [id, slot] of parties.slotsInOrder()) {
    frontCoded(w, id, previousId);
    previousId = id;
    const lastMs = parties.lastMsAt(slot);
    w.zigzag(lastMs - previousLast);
    previousLast = lastMs;
    w.zigzag(lastMs - parties.firstMsAt(slot));
    w.varint(parties.countAt(slot));
    w.varint(parties.sumAt(slot));
  }
}

function readParties(r: BinaryReader, t: number): CounterpartySet {
  const count = r.count(6);
  const parties = new CounterpartySet(count);
  let previousId = '';
  let previousLast = t;
  for (let n = count; n > 0; n--) {
    const id = readFrontCoded(r, previousId);
    previousId = id;
    const lastMs = previousLast + r.zigzag();
    previousLast = lastMs;
    const firstMs = lastMs - r.zigzag();
    const payments = r.varint();
    parties.add(id, firstMs, lastMs, payments, r.varint());
  }
  return parties;
}

/** The length of the prefix shared with the previous string, then the rest. */
function frontCoded(w: BinaryWriter, text: string, previous: string): void {
  const limit = Math.min(text.length, previous.length);
  let shared = 0;
  while (shared < limit && text.charCodeAt(shared) === previous.charCodeAt(shared)) shared++;
  // Never split a surrogate pair: the rest is written as UTF-8.
  if (shared > 0 && isHighSurrogate(text.charCodeAt(shared - 1))) shared--;
  w.varint(shared);
  w.stringFrom(text, shared);
}

function readFrontCoded(r: BinaryReader, previous: string): string {
  const shared = r.varint();
  if (shared > previous.length) throw r.corrupt('front-coded string shares more than the previous one');
  const rest = r.string();
  return shared === 0 ? rest : previous.slice(0, shared) + rest;
}

function writeSource(w: BinaryWriter, source: EffectSource): void {
  w.string(source.streamKey);
  w.string(source.topic);
  w.varint(source.partition);
  w.varint(source.offset);
}

function readSource(r: BinaryReader): EffectSource {
  return { streamKey: r.string(), topic: r.string(), partition: r.varint(), offset: r.varint() };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function codeOf<T>(names: readonly T[], name: T, state: WalletState): number {
  const code = names.indexOf(name);
  if (code < 0) invalid(state, `unknown value ${String(name)}`);
  return code;
}

function invalid(state: WalletState, reason: string): never {
  throw new FlowGuardError(
    'FG_STATE_INVALID',
    `wallet state of ${state.walletId} cannot be encoded: ${reason}`,
  );
}
