// Applies one wallet side of an event to the wallet's state record: the duplicate check, then the
// buckets, counterparties, lifetime figures and de-duplication marks. Pure over the state (it mutates
// it; no I/O); window features are read through state/window-view.ts.
import type { FeatureConfig } from '../config/feature-config.js';
import { HOUR_MS } from '../domain/time.js';
import {
  isDonationLike,
  isPassingOn,
  type EventSource,
  type NormalizedEvent,
  type WalletSide,
} from '../domain/transaction.js';
import { FlowGuardError } from '../errors.js';
import { addToSeries, dropBefore, saturatingAdd, type BucketSeries } from './bucket-series.js';
import type { CounterpartySet } from './counterparty-set.js';
import { OldestFirst } from './oldest-first.js';
import { BUCKET_FIELDS, FIELD, RECENT_STRIDE, type Counterparty, type WalletState } from './wallet-state.js';

/**
 * Streams whose offset watermark a wallet keeps. A wallet is touched from at most the input partitions
 * times the topic's incarnations; past this bound the stream with the oldest activity is dropped (the
 * map is kept in order of last activity). Redeliveries come from streams active just before a crash
 * or rebalance, so the dropped one is the least likely to redeliver; the ring still catches those.
 */
export const MAX_WATERMARKS = 64;

/**
 * Size budget of each counterparty set, in estimated record bytes (id length plus the figures):
 * besides COUNTERPARTY_CAP entries, the set keeps no more than fits this, evicting the oldest. Ids up to
 * 13 characters keep the full default cap of 1,000; 128-character ids keep about 160. With it the
 * busiest wallet's record stays under 64 KB whatever its traffic (the sum is in wallet-state-codec.ts;
 * tests/unit/state/apply-side.test.ts builds the worst case).
 */
export const COUNTERPARTY_BYTES_MAX = 21 * 1024;
const COUNTERPARTY_FIXED_BYTES = 8;
const EMPTY_BUCKET: readonly number[] = BUCKET_FIELDS.map(() => 0);
/**
 * The one event's contribution, refilled by every applySide: copied into a new bucket, added into an
 * existing one, and lent to the listener, which must not keep it (an array per side was garbage).
 */
const CONTRIBUTION: number[] = EMPTY_BUCKET.slice();
// Imported values read once: under tsx (esbuild) every read of an import is a getter call, which a
// profile of this path shows.
const F = FIELD;
const STRIDE = RECENT_STRIDE;

export type SideCheck = 'new' | 'duplicate' | 'conflict';

/** What applying a side reads of its event: all a journal entry (state/wallet-journal.ts) carries. */
export type AppliedEvent = Pick<
  NormalizedEvent,
  'eventId' | 'idHash' | 'bodyHash' | 'type' | 'occurredAtMs' | 'amount'
> & { source: Pick<EventSource, 'streamKey' | 'offset'> };

export type AppliedSide = Pick<WalletSide, 'walletId' | 'direction' | 'counterparty' | 'openedAtMs'> & {
  event: AppliedEvent;
};

/** Event ids the wallet keeps for an alert's sampleEventIds. */
export const SAMPLES_KEPT = 10;

export interface ApplyResult {
  /**
   * 'beyond-retention': older than every bucket kept: counted in the lifetime figures and the
   * counterparty's history (first payment, count, sum), in no window.
   */
  status: 'applied' | 'beyond-retention';
  /** The counterparty was not in the wallet's held set before this event. */
  newCounterparty: boolean;
}

/**
 * 'duplicate': a redelivered record (at or below its stream's watermark), or the same eventId with the
 * same body sent again as a new record (still in the ring); 'conflict': that eventId with another body.
 * One record is at most one side of a wallet (the contract refuses a wallet paying itself), so the
 * watermark never hides a record's second side.
 */
export function checkSide(state: WalletState, side: WalletSide): SideCheck {
  const { source, idHash, bodyHash } = side.event;
  const watermark = state.dedup.watermarks.get(source.streamKey);
  if (watermark !== undefined && watermark >= source.offset) return 'duplicate';
  const recent = state.dedup.recent;
  for (let i = recent.length - STRIDE; i >= 0; i -= STRIDE) {
    if (recent[i] === idHash) return recent[i + 1] === bodyHash ? 'duplicate' : 'conflict';
  }
  return 'new';
}

/**
 * Advances the stream watermark without applying anything (a duplicate's record was still read).
 * Returns false when the record is at or below the watermark already: a redelivery changes nothing,
 * so the record need not be written again.
 */
export function recordSeen(state: WalletState, source: Pick<EventSource, 'streamKey' | 'offset'>): boolean {
  const watermarks = state.dedup.watermarks;
  const { streamKey, offset } = source;
  const previous = watermarks.get(streamKey);
  if (previous !== undefined && previous >= offset) return false;
  // The map stays in order of last activity: a stream that is not already the last moves to the end
  // (deleting and re-adding). Updating the last one in place spares the map's table, which every
  // delete-and-add would fill up and the map reallocate.
  if (previous !== undefined && state.memo.lastStreamKey !== streamKey) watermarks.delete(streamKey);
  watermarks.set(streamKey, offset);
  state.memo.lastStreamKey = streamKey;
  if (watermarks.size > MAX_WATERMARKS) watermarks.delete(watermarks.keys().next().value!);
  return true;
}

/** Applies a side checkSide called 'new'. Mutates the state. */
export function applySide(state: WalletState, side: AppliedSide, features: FeatureConfig): ApplyResult {
  if (side.walletId !== state.walletId) {
    throw new FlowGuardError(
      'FG_STATE_INVALID',
      `a side of ${side.walletId} applied to the state of ${state.walletId}`,
    );
  }
  const event = side.event;
  const t = event.occurredAtMs;
  const amount = event.amount;
  const inbound = side.direction === 'in';
  const listener = state.memo.listener;

  if (side.openedAtMs !== undefined) {
    state.openedAtMs =
      state.openedAtMs === null ? side.openedAtMs : Math.max(state.openedAtMs, side.openedAtMs);
  }
  const previousLast = state.lastEventMs;
  if (Number.isNaN(previousLast) || t > previousLast) state.lastEventMs = t;
  if (!(state.firstSeenMs <= t)) state.firstSeenMs = t;

  const l = state.lifetime;
  if (inbound) {
    l.inCount += 1;
    l.inSum = saturatingAdd(l.inSum, amount);
    if (isDonationLike(event.type)) l.donationCount += 1;
    else if (event.type === 'payment') l.purchaseCount += 1;
  } else {
    l.outCount += 1;
    l.outSum = saturatingAdd(l.outSum, amount);
  }

  const last = state.lastEventMs;
  if (last !== previousLast) {
    listener?.eventTimeAdvanced(previousLast);
    trim(state.fine, previousLast, last, features.fineRetentionMs);
    trim(state.hourly, previousLast, last, hourlyKeptMs(features));
  }

  const fineIndex = Math.floor(t / state.fine.sizeMs);
  const hourIndex = Math.floor(t / state.hourly.sizeMs);
  const inFine =
    features.fineRetentionMs > 0 && fineIndex >= retainedFrom(state.fine, last, features.fineRetentionMs);
  const inHourly = hourIndex >= retainedFrom(state.hourly, last, hourlyKeptMs(features));
  if (inFine || inHourly) {
    const contribution = contributionOf(side, features);
    if (inFine) addToBucket(state, state.fine, fineIndex, contribution);
    if (inHourly) addToBucket(state, state.hourly, hourIndex, contribution);
  }
  // Counterparties are kept whatever the event's age, so the order events arrive in never changes who
  // is a new or a repeat payer.
  const newCounterparty = touchCounterparty(
    state,
    inbound,
    side.counterparty,
    t,
    amount,
    features.counterpartyCap,
  );
  if (newCounterparty && inbound) l.payersEver += 1;

  recordSeen(state, event.source);
  rememberFingerprints(state.dedup.recent, event.idHash, event.bodyHash, features.recentEventIds);
  state.memo.revision += 1;
  listener?.applied(state.memo.revision);
  return { status: inFine || inHourly ? 'applied' : 'beyond-retention', newCounterparty };
}

/** Keeps the event among the wallet's newest few (the evidence of its next alert). */
export function rememberSample(state: WalletState, eventId: string, atMs: number): void {
  const { eventIds, atMs: times } = state.samples;
  while (eventIds.length > 0 && eventIds.length >= SAMPLES_KEPT) {
    eventIds.shift();
    times.shift();
  }
  eventIds.push(eventId);
  times.push(atMs);
}

/**
 * Appends an event's fingerprints to the flat list of the newest `cap` events, dropping the oldest
 * (more, if the list outgrew a lowered cap). shift() on a long array moves its start, not its
 * elements, and allocates nothing.
 */
function rememberFingerprints(recent: number[], idHash: number, bodyHash: number, cap: number): void {
  while (recent.length > 0 && recent.length >= cap * STRIDE) {
    for (let k = 0; k < STRIDE; k++) recent.shift();
  }
  recent.push(idHash, bodyHash);
}

/** First bucket index a series keeps: the buckets of a window of `retentionMs` ending with `lastMs`. */
export function retainedFrom(series: BucketSeries, lastMs: number, retentionMs: number): number {
  return Math.floor(lastMs / series.sizeMs) - Math.ceil(retentionMs / series.sizeMs) + 1;
}

/**
 * How far back hourly buckets are kept: the retention plus the newest event's own hour, so that an
 * hourly history of the whole retention (complete hours before the current one) has every hour.
 */
export function hourlyKeptMs(features: FeatureConfig): number {
  return features.hourlyRetentionMs + HOUR_MS;
}

/** Drops the buckets that left retention when the newest event time moved from `previousMs` to `lastMs`. */
function trim(series: BucketSeries, previousMs: number, lastMs: number, retentionMs: number): void {
  const from = retainedFrom(series, lastMs, retentionMs);
  if (from !== retainedFrom(series, previousMs, retentionMs)) dropBefore(series, from);
}

/** What one event adds to a bucket, in BUCKET_FIELDS order (in CONTRIBUTION, valid until the next call). */
function contributionOf(side: AppliedSide, features: FeatureConfig): readonly number[] {
  const values = CONTRIBUTION;
  values.fill(0);
  const { type, amount } = side.event;
  if (side.direction === 'in') {
    values[F.inCount] = 1;
    values[F.inSum] = amount;
    values[F.inMax] = amount;
    if (isDonationLike(type)) {
      values[F.donationCount] = 1;
      values[F.donationSum] = amount;
      if (amount <= features.smallAmountMax) values[F.smallDonationCount] = 1;
    } else if (type === 'payment') {
      values[F.purchaseCount] = 1;
      values[F.purchaseSum] = amount;
    }
    if (amount >= features.nearThresholdFrom && amount < features.reportingThreshold) {
      values[F.nearThresholdCount] = 1;
    }
  } else {
    values[F.outCount] = 1;
    values[F.outSum] = amount;
    if (isPassingOn(type)) {
      values[F.passOnCount] = 1;
      values[F.passOnSum] = amount;
    }
  }
  return values;
}

function addToBucket(
  state: WalletState,
  series: BucketSeries,
  index: number,
  contribution: readonly number[],
): void {
  addToSeries(series, index, contribution);
  state.memo.listener?.bucketAdded(series, index, contribution);
}

/**
 * What the listener is told a counterparty was and became: two objects lent for the call, refilled by
 * every touch (the listener must not keep them; an object per touch was garbage).
 */
const BEFORE: Counterparty = { firstMs: Number.NaN, lastMs: Number.NaN, count: Number.NaN, sum: Number.NaN };
const AFTER: Counterparty = { firstMs: Number.NaN, lastMs: Number.NaN, count: Number.NaN, sum: Number.NaN };

/** Records a payment with a payer or payee; true when the counterparty was not held before. */
function touchCounterparty(
  state: WalletState,
  inbound: boolean,
  id: string,
  t: number,
  amount: number,
  cap: number,
): boolean {
  const parties = inbound ? state.payers : state.payees;
  const memo = inbound ? state.memo.payers : state.memo.payees;
  const direction = inbound ? 'in' : 'out';
  const listener = state.memo.listener;
  const held = parties.slotOf(id);
  if (held >= 0) {
    if (listener) parties.figuresInto(BEFORE, held);
    parties.paid(held, id, t, amount);
    listener?.counterpartyChanged(direction, BEFORE, parties.figuresInto(AFTER, held));
    return false;
  }
  if (Number.isNaN(memo.bytes)) memo.bytes = bytesOf(parties);
  parties.add(id, t, t, 1, amount);
  memo.bytes += entryBytes(id);
  memo.oldest?.push(id, t);
  if (listener) {
    AFTER.firstMs = AFTER.lastMs = t;
    AFTER.count = 1;
    AFTER.sum = amount;
    listener.counterpartyChanged(direction, undefined, AFTER);
  }
  while (parties.size > cap || memo.bytes > COUNTERPARTY_BYTES_MAX) {
    const order = (memo.oldest ??= OldestFirst.of(parties));
    const oldest = order.popOldest(parties)!;
    if (listener) parties.figuresInto(BEFORE, parties.slotOf(oldest));
    parties.delete(oldest);
    memo.bytes -= entryBytes(oldest);
    listener?.counterpartyChanged(direction, BEFORE, undefined);
  }
  return true;
}

function entryBytes(id: string): number {
  return id.length + COUNTERPARTY_FIXED_BYTES;
}

/** A set's estimated record bytes; counted once after a load, then kept in the memo. */
function bytesOf(parties: CounterpartySet): number {
  let bytes = 0;
  for (const id of parties.keys()) bytes += entryBytes(id);
  return bytes;
}
