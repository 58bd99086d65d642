// The wallet state record: everything FlowGuard keeps about one wallet, read and written as one Redis
// value per chunk (load → apply → detect → compare-and-set). Plain data; the codec packs it, the
// window view reads features from it, apply-side changes it. See docs/design/pipeline-v2.md.
import { HOUR_MS } from '../domain/time.js';
import { BUCKET_WIDTH, emptySeries, type BucketSeries } from './bucket-series.js';
import { CounterpartySet } from './counterparty-set.js';
import type { OldestFirst } from './oldest-first.js';

export { BUCKET_FIELDS, FIELD, MAX_FIELDS, type BucketField } from './wallet-state-fields.js';
export type { BucketSeries } from './bucket-series.js';

/** A payer or payee as the wallet remembers it. */
export interface Counterparty {
  firstMs: number;
  lastMs: number;
  /** Payments with this counterparty (in the direction of the set). */
  count: number;
  /** Sum of those payments, base minor units. */
  sum: number;
}

/**
 * The recent events' fingerprints lie flat in `dedup.recent`, this many numbers an event: the id's,
 * then the body's (its meaning). An object per event, with its two numbers boxed, took ~85 bytes of
 * heap against 16, and was one more object for the collector to copy for every side applied.
 */
export const RECENT_STRIDE = 2;

/** How many events' fingerprints the wallet holds. */
export function recentCount(state: WalletState): number {
  return state.dedup.recent.length / RECENT_STRIDE;
}

/** A flagged wallet this wallet shares payers with (the replacement-wallet relation). */
export interface OverlapEntry {
  /** Shared payers, weighted (a payer of a very large flagged wallet counts less than one). */
  shared: number;
  /** Some of the shared payers' ids, for the evidence and the console. */
  sample: string[];
  /** When the flagged wallet was flagged (its donors are remembered for DONOR_MEMORY from then). */
  flaggedAtMs: number;
}

export interface RuleFiringState {
  weight: number;
  /** Event time the rule last fired (the decayed score counts from it). */
  lastFiredMs: number;
  /** Severity rank and event time of the last alert that carried this rule (cool-down, escalation). */
  alertedRank: number;
  alertedAtMs: number;
}

/** An analyst flag in force on this wallet (the flag history itself lives in the audit topic). */
export interface ActiveFlag {
  flagId: string;
  kind: 'confirmed' | 'false-positive' | 'blocked';
  /** null: every rule (an approved false positive on the whole wallet). */
  ruleId: string | null;
  createdAtMs: number;
  /** Wall-clock end of a false-positive silence; null for confirmed/blocked (until revoked). */
  expiresAtMs: number | null;
}

export interface WatchEntry {
  mentionId: string;
  source: string;
  url: string | undefined;
  seenAtMs: number;
  listedAtMs: number;
  expiresAtMs: number;
}

/** Where an effect came from: a Kafka record (for "was it committed?" questions). */
export interface EffectSource {
  streamKey: string;
  topic: string;
  partition: number;
  offset: number;
}

/** An alert decided and stored with the state, until the Kafka transaction that carries it commits. */
export interface PendingAlert {
  alertId: string;
  /** The alert exactly as it will be published (validated against schemas/alert.ts). */
  json: string;
  source: EffectSource;
}

/** The donor-index seeding (and the search for wallets those donors already paid) still to be done. */
export interface PendingSeed {
  source: EffectSource;
  flaggedAtMs: number;
  /** 'alert': a seeding rule fired with strong evidence; 'analyst': confirmed or blocked; 'unseed': revoked. */
  reason: 'alert' | 'analyst' | 'unseed';
  /**
   * The other wallets holding an alert its search raised. Their pending alerts are published again
   * with the seed if its chunk comes again, without searching again (pipeline/pending-effects.ts).
   * null: stored before FlowGuard kept this list, or the search alerted more wallets than the list
   * keeps (pipeline/retro-search.ts, RAISED_ON_MAX), so the search runs again as it used to.
   */
  raisedOn: string[] | null;
}

/**
 * Told of each change applySide makes, so a derived view (state/window-view.ts) stays current without
 * rescanning the wallet. It must not keep the arrays or objects it is handed.
 */
export interface WalletStateListener {
  /** lastEventMs moved forward from `previousMs` (NaN for the wallet's first event). */
  eventTimeAdvanced(previousMs: number): void;
  /** One event's values (BUCKET_FIELDS order) were added to bucket `index` of `series`. */
  bucketAdded(series: BucketSeries, index: number, contribution: readonly number[]): void;
  /** A payer ('in') or payee ('out') entered, changed or left its set (undefined: not held). */
  counterpartyChanged(
    direction: 'in' | 'out',
    before: Readonly<Counterparty> | undefined,
    after: Readonly<Counterparty> | undefined,
  ): void;
  /** The change is complete; the state's memo.revision is now `revision`. */
  applied(revision: number): void;
}

/** What applySide keeps about one counterparty set to bound it cheaply. */
export interface CounterpartySetMemo {
  /** Estimated record bytes of the set (the size budget); NaN until first counted. */
  bytes: number;
  /** The set ordered by lastMs for eviction; built at the first eviction after a load. */
  oldest: OldestFirst | null;
}

/**
 * The stored record's make-up as far as this process knows it: a snapshot, then journal entries
 * (state/wallet-journal.ts). NaN snapshot bytes: unknown (never stored, or not by this process's
 * read or write), so the next write is a whole snapshot.
 */
export interface StoredRecordMemo {
  snapshotBytes: number;
  journalBytes: number;
  journalEntries: number;
  /**
   * The stored record expires no earlier than this (the writer's clock, epoch ms), as set by this
   * process's last write; NaN: unknown (read from Redis), so the next write sets its expiry.
   */
  expiresAtMs: number;
}

/** Bookkeeping derived from the record, kept between changes and never stored (fresh after a load). */
export interface WalletStateMemo {
  /** Bumped by every change to the event data, so views can tell whether they missed one. */
  revision: number;
  payers: CounterpartySetMemo;
  payees: CounterpartySetMemo;
  listener: WalletStateListener | null;
  record: StoredRecordMemo;
  /**
   * The stream key last in dedup.watermarks (the most recently active stream) when known, so a run of
   * records from one stream updates its watermark in place instead of moving it to the end each time.
   */
  lastStreamKey: string | null;
}

export interface WalletState {
  walletId: string;
  /** Compare-and-set version of the stored record (0: there is none yet). Bumped by every write. */
  version: number;
  /** Opening time from the processor (plausible claims only; the youngest claim wins). */
  openedAtMs: number | null;
  /** Event time of the earliest and newest events applied; NaN while the wallet has none. */
  firstSeenMs: number;
  lastEventMs: number;
  lifetime: {
    inCount: number;
    inSum: number;
    donationCount: number;
    purchaseCount: number;
    outCount: number;
    outSum: number;
    /** Distinct payers ever: exact while they fit the held set, then counted as new arrivals. */
    payersEver: number;
  };
  /** FINE_BUCKET buckets for the short windows, hourly ones for the long windows and the baseline. */
  fine: BucketSeries;
  hourly: BucketSeries;
  /** Counterparties by id (wallet id or "ref:<id>"), newest kept, at most COUNTERPARTY_CAP each. */
  payers: CounterpartySet;
  payees: CounterpartySet;
  /**
   * The last few events applied (newest last), for an alert's sampleEventIds: ids and event times
   * index for index. Two flat lists, not an object per event: an object and its boxed time were two
   * of the ~180 heap objects an ordinary cached wallet held, and the collector traces every one.
   */
  samples: { eventIds: string[]; atMs: number[] };
  dedup: {
    /** streamKey ("<incarnation>/<partition>") → offset of the newest record applied from it. */
    watermarks: Map<string, number>;
    /** The last RECENT_EVENT_IDS events applied, oldest first: idHash, bodyHash, idHash, … */
    recent: number[];
  };
  replacement: {
    /** Set when the wallet's payers became donors (seeding alert or analyst flag); null otherwise. */
    flaggedAtMs: number | null;
    /** Flagged wallets this one shares payers with, the strongest few kept. */
    overlap: Map<string, OverlapEntry>;
  };
  alerting: {
    firings: Map<string, RuleFiringState>;
    lastAlertId: string | null;
    lastAlertAtMs: number | null;
    alertCount: number;
  };
  analyst: { flags: ActiveFlag[] };
  watch: { entries: WatchEntry[]; alertedAtMs: number | null };
  pending: { alerts: PendingAlert[]; seeds: PendingSeed[] };
  /** Not part of the record: see WalletStateMemo. */
  memo: WalletStateMemo;
}

export function freshMemo(): WalletStateMemo {
  return {
    revision: 0,
    payers: { bytes: Number.NaN, oldest: null },
    payees: { bytes: Number.NaN, oldest: null },
    listener: null,
    record: { snapshotBytes: Number.NaN, journalBytes: 0, journalEntries: 0, expiresAtMs: Number.NaN },
    lastStreamKey: null,
  };
}

export function emptyWalletState(walletId: string, fineBucketMs: number): WalletState {
  return {
    walletId,
    version: 0,
    openedAtMs: null,
    firstSeenMs: Number.NaN,
    lastEventMs: Number.NaN,
    lifetime: {
      inCount: 0,
      inSum: 0,
      donationCount: 0,
      purchaseCount: 0,
      outCount: 0,
      outSum: 0,
      payersEver: 0,
    },
    fine: emptySeries(fineBucketMs),
    hourly: emptySeries(HOUR_MS),
    payers: new CounterpartySet(),
    payees: new CounterpartySet(),
    samples: { eventIds: [], atMs: [] },
    dedup: { watermarks: new Map(), recent: [] },
    replacement: { flaggedAtMs: null, overlap: new Map() },
    alerting: { firings: new Map(), lastAlertId: null, lastAlertAtMs: null, alertCount: 0 },
    analyst: { flags: [] },
    watch: { entries: [], alertedAtMs: null },
    pending: { alerts: [], seeds: [] },
    memo: freshMemo(),
  };
}

/**
 * Whether either bucket series holds at least `target` of a summed field: every window is read from one
 * of them, so no window holds more. Stops as soon as it knows.
 */
export function bucketsHoldAtLeast(state: WalletState, field: number, target: number): boolean {
  return seriesHolds(state.hourly, field, target) || seriesHolds(state.fine, field, target);
}

function seriesHolds(series: BucketSeries, field: number, target: number): boolean {
  const values = series.values;
  let total = 0;
  for (let at = field; at < values.length; at += BUCKET_WIDTH) {
    total += values[at]!;
    if (total >= target) return true;
  }
  return total >= target;
}

/**
 * Whether some bucket of either series reaches `target` in a maximum field (MAX_FIELDS, such as inMax):
 * no window, read from one series, holds a larger single payment. For a summed field, see
 * bucketsHoldAtLeast.
 */
export function someBucketReaches(state: WalletState, field: number, target: number): boolean {
  return bucketReaches(state.hourly, field, target) || bucketReaches(state.fine, field, target);
}

function bucketReaches(series: BucketSeries, field: number, target: number): boolean {
  const values = series.values;
  for (let at = field; at < values.length; at += BUCKET_WIDTH) if (values[at]! >= target) return true;
  return false;
}

/** The ids of the wallet's newest events, oldest first (a copy: an alert's sampleEventIds). */
export function sampleEventIds(state: WalletState): string[] {
  return state.samples.eventIds.slice();
}

/** True while the wallet has never had an event applied. */
export function hasNoEvents(state: WalletState): boolean {
  return Number.isNaN(state.lastEventMs);
}
