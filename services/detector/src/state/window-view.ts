// A wallet's window features and hourly history, read from its state record: the one home of the window
// formula (rules and REST both read this). A window of length L in buckets of b ends with the bucket of
// the wallet's newest event and holds the L/b buckets ending there:
//   startMs = (floor(lastEventMs / b) − L/b + 1) · b,   endMs = startMs + L   (error: one bucket at the old edge)
// Views are cheap to create: the running figures live in a tracker attached to the state at the first
// read, which applySide then keeps current event by event; a window is recomputed only when its first
// bucket moves.
import type { FeatureConfig, WindowSpec } from '../config/feature-config.js';
import { HOUR_MS } from '../domain/time.js';
import { FlowGuardError } from '../errors.js';
import { retainedFrom } from './apply-side.js';
import { addBucketTo, addValues, firstAtOrAfter, type BucketSeries } from './bucket-series.js';
import { CounterpartyTimes } from './counterparty-times.js';
import {
  BUCKET_FIELDS,
  FIELD,
  MAX_FIELDS,
  type BucketField,
  type Counterparty,
  type WalletState,
  type WalletStateListener,
} from './wallet-state.js';

export type WindowFeatures = {
  readonly name: string;
  readonly lengthMs: number;
  /** First instant inside the window (bucket-aligned); NaN while the wallet has no events. */
  readonly startMs: number;
  /** First instant after it: the end of the newest event's bucket. */
  readonly endMs: number;
  /** Payers whose latest payment is inside the window. */
  readonly distinctPayers: number;
  /** Payers whose first payment to this wallet is inside the window. */
  readonly newPayers: number;
  /** Payers inside the window who paid this wallet more than once (ever, as far as the record holds). */
  readonly repeatPayers: number;
  readonly distinctPayees: number;
} & { readonly [K in BucketField]: number };

/** Never changed once handed out: a change to the wallet's history makes a new one (rules keep results on it). */
export interface HourlyHistory {
  /** Per hour, oldest first, ending with the hour before `endHourMs` (the current, partial hour is left out). */
  counts: number[];
  sums: number[];
  donationCounts: number[];
  /** Start of the hour of the wallet's newest event; NaN while it has none. */
  endHourMs: number;
}

const FIELD_COUNT = BUCKET_FIELDS.length;
// Imported values read once: under tsx (esbuild) every read of an import is a getter call, which a
// profile of this path shows.
const F = FIELD;
const HOUR = HOUR_MS;
const IS_MAX: readonly boolean[] = BUCKET_FIELDS.map((_, f) => MAX_FIELDS.has(f));
const add = addValues;

export class WalletView {
  private attached: WindowTracker | null = null;

  constructor(
    readonly state: WalletState,
    private readonly features: FeatureConfig,
  ) {}

  /**
   * The state's tracker, attached at the first read: a wallet whose rules need no window (most, see
   * Rule.reachable) never pays for one, nor for keeping one current while sides are applied.
   */
  private get tracker(): WindowTracker {
    if (this.attached) return this.attached;
    const listener = this.state.memo.listener;
    if (listener instanceof WindowTracker && listener.features === this.features) this.attached = listener;
    else {
      this.attached = new WindowTracker(this.state, this.features);
      this.state.memo.listener = this.attached;
    }
    return this.attached;
  }

  /**
   * The named window's features. The object is the window's own and is refreshed in place when read
   * after the state changed: read it at once, or copy it to keep it. Throws for a window not configured.
   */
  window(name: string): WindowFeatures {
    return this.tracker.window(name);
  }

  /**
   * The named window as it stood when an event at `atMs` arrived: the window ending with that event's
   * bucket. For an event in the newest bucket it is window(name). An older event (a late one, or one
   * whose wallet already saw newer events on another partition) gets its own window, computed from the
   * record; where the fine buckets of that span are no longer kept, from the hourly ones (one hour of
   * error at the old edge). Its payer counts take a payer as inside when its first and latest payments
   * bracket the window (one who paid only before and after it is counted too).
   */
  windowEndingAt(name: string, atMs: number): WindowFeatures {
    return this.tracker.windowEndingAt(name, atMs);
  }

  /** Every configured window, in configuration order. */
  windows(): WindowFeatures[] {
    return this.tracker.windows();
  }

  /** The last `hours` complete hours of inbound history before the newest event's hour. */
  hourlyHistory(hours: number): HourlyHistory {
    return this.tracker.hourlyHistory(hours);
  }

  get walletId(): string {
    return this.state.walletId;
  }
  get payersHeld(): number {
    return this.state.payers.size;
  }
  get payeesHeld(): number {
    return this.state.payees.size;
  }
  get lifetime(): Readonly<WalletState['lifetime']> {
    return this.state.lifetime;
  }
  get openedAtMs(): number | null {
    return this.state.openedAtMs;
  }
  get firstSeenMs(): number {
    return this.state.firstSeenMs;
  }
  get lastEventMs(): number {
    return this.state.lastEventMs;
  }
}

interface RunningWindow {
  spec: WindowSpec;
  fine: boolean;
  /** `values` are the sums of the buckets from `startIndex` on; false: recompute. */
  current: boolean;
  startIndex: number;
  startMs: number;
  /** NO_VALUES until the window is first computed (a window no rule of the wallet reads costs nothing). */
  values: number[];
  /**
   * The features handed out: one object per window, made at its first read and refreshed in place when
   * read after a change (a new object per read would outlive the young generation, held by the
   * tracker, and cost a copy by the garbage collector for every event).
   */
  figures: Figures | null;
  /** False once a figure changed since `figures` was last refreshed. */
  fresh: boolean;
}

/**
 * A window's sums before it is first computed. Frozen: the tracker adds only into current windows, which
 * have their own array, and anything else would throw rather than corrupt every tracker's windows.
 */
const NO_VALUES: number[] = Object.freeze([]) as unknown as number[];

/**
 * The running window figures of one state, kept current by applySide's notifications. Made for every
 * state a rule reads a window of (a cache miss builds a new one), and kept as long as the state: what it
 * holds is old memory the collector copies and marks, so a window's arrays wait for its first read.
 */
class WindowTracker implements WalletStateListener {
  private readonly running: RunningWindow[];
  /** The state revision the figures reflect; any other means a change went unseen: recompute every window read so far. */
  private revision = -1;
  /** Bumped when a late event lands in an hour the history already closed. */
  private historyStamp = 0;
  private history: { hours: number; endHourMs: number; stamp: number; value: HourlyHistory } | null = null;
  private payerTimes: CounterpartyTimes;
  private payeeTimes: CounterpartyTimes;

  constructor(
    private readonly state: WalletState,
    readonly features: FeatureConfig,
  ) {
    this.payerTimes = new CounterpartyTimes(state.payers);
    this.payeeTimes = new CounterpartyTimes(state.payees);
    this.running = features.windows.map((spec) => ({
      spec,
      fine: spec.resolutionMs === features.fineBucketMs && spec.lengthMs <= features.fineRetentionMs,
      current: false,
      startIndex: Number.NaN,
      startMs: Number.NaN,
      values: NO_VALUES,
      figures: null,
      fresh: false,
    }));
  }

  /** The running window of that name (a few are configured: a scan, no map per tracker). */
  private named(name: string): RunningWindow {
    for (const w of this.running) if (w.spec.name === name) return w;
    throw new FlowGuardError('FG_CONFIG_INVALID', `no window "${name}" is configured (WINDOWS)`);
  }

  window(name: string): WindowFeatures {
    const w = this.named(name);
    if (this.revision !== this.state.memo.revision) this.resync();
    if (!w.current) this.recompute(w);
    if (w.fresh && w.figures) return w.figures;
    const start = w.startMs;
    const payers = this.payerTimes;
    w.figures ??= emptyFigures(w.spec);
    writeFigures(
      w.figures,
      w,
      payers.distinctFrom(start),
      payers.freshFrom(start),
      payers.repeatFrom(start),
      this.payeeTimes.distinctFrom(start),
    );
    w.fresh = true;
    return w.figures;
  }

  /** Every window, those not current recomputed in one pass over each bucket series. */
  windows(): WindowFeatures[] {
    if (this.revision !== this.state.memo.revision) this.resync();
    this.recompute(null);
    return this.running.map((w) => this.window(w.spec.name));
  }

  windowEndingAt(name: string, atMs: number): WindowFeatures {
    const current = this.window(name);
    const w = this.named(name);
    const last = this.state.lastEventMs;
    let series = this.seriesOf(w);
    if (Number.isNaN(last) || Math.floor(atMs / series.sizeMs) >= Math.floor(last / series.sizeMs)) {
      return current;
    }
    const lengthBuckets = (size: number) => Math.max(1, Math.round(w.spec.lengthMs / size));
    let endIndex = Math.floor(atMs / series.sizeMs);
    let startIndex = endIndex - lengthBuckets(series.sizeMs) + 1;
    if (w.fine && startIndex < retainedFrom(series, last, this.features.fineRetentionMs)) {
      series = this.state.hourly;
      endIndex = Math.floor(atMs / HOUR);
      startIndex = endIndex - lengthBuckets(HOUR) + 1;
    }
    const pastFigures = emptyFigures(w.spec);
    const past: RunningWindow = {
      spec: w.spec,
      fine: series === this.state.fine,
      current: true,
      startIndex,
      startMs: startIndex * series.sizeMs,
      values: new Array<number>(FIELD_COUNT).fill(0),
      figures: pastFigures,
      fresh: true,
    };
    const indexes = series.indexes;
    for (let k = firstAtOrAfter(series, startIndex); k < indexes.length && indexes[k]! <= endIndex; k++) {
      addBucketTo(past.values, series, k);
    }
    // A past window's counterparties bracket it (first payment before its end, latest at or after its
    // start): binary searches in the sorted times, not a pass over a set of up to 1,000 per late event.
    const endMs = (endIndex + 1) * series.sizeMs;
    const start = past.startMs;
    const payers = this.payerTimes;
    return writeFigures(
      pastFigures,
      past,
      payers.bracketing(start, endMs),
      payers.freshFrom(start) - payers.freshFrom(endMs),
      payers.repeatBracketing(start, endMs),
      this.payeeTimes.bracketing(start, endMs),
    );
  }

  hourlyHistory(hours: number): HourlyHistory {
    if (this.revision !== this.state.memo.revision) this.resync();
    const last = this.state.lastEventMs;
    const endHourMs = Math.floor(last / HOUR) * HOUR;
    const cached = this.history;
    if (
      cached &&
      cached.hours === hours &&
      cached.stamp === this.historyStamp &&
      Object.is(cached.endHourMs, endHourMs)
    ) {
      return cached.value;
    }
    const counts = new Array<number>(hours).fill(0);
    const sums = new Array<number>(hours).fill(0);
    const donationCounts = new Array<number>(hours).fill(0);
    if (!Number.isNaN(last)) {
      const hourly = this.state.hourly;
      const { indexes, values } = hourly;
      const first = endHourMs / HOUR - hours;
      for (let k = firstAtOrAfter(hourly, first); k < indexes.length; k++) {
        const h = indexes[k]! - first;
        if (h >= hours) break;
        const offset = k * FIELD_COUNT;
        counts[h] = values[offset + F.inCount]!;
        sums[h] = values[offset + F.inSum]!;
        donationCounts[h] = values[offset + F.donationCount]!;
      }
    }
    const value = { counts, sums, donationCounts, endHourMs };
    this.history = { hours, endHourMs, stamp: this.historyStamp, value };
    return value;
  }

  eventTimeAdvanced(): void {
    for (const w of this.running) {
      w.fresh = false;
      if (!w.current) continue;
      const start = this.startIndexOf(w);
      if (start !== w.startIndex && !this.slide(w, start)) w.current = false;
    }
  }

  bucketAdded(series: BucketSeries, index: number, contribution: readonly number[]): void {
    const fine = series === this.state.fine;
    for (const w of this.running) {
      if (w.fine !== fine || !w.current || index < w.startIndex) continue;
      add(w.values, contribution);
      w.fresh = false;
    }
    if (!fine && index < Math.floor(this.state.lastEventMs / HOUR)) this.historyStamp += 1;
  }

  counterpartyChanged(
    direction: 'in' | 'out',
    before: Readonly<Counterparty> | undefined,
    after: Readonly<Counterparty> | undefined,
  ): void {
    (direction === 'in' ? this.payerTimes : this.payeeTimes).changed(before, after);
    for (const w of this.running) w.fresh = false;
  }

  applied(revision: number): void {
    // In step only if nothing changed since the figures were last in step.
    if (this.revision === revision - 1) this.revision = revision;
  }

  /** Figures out of step with the state: recompute every window read so far (at its next read), forget the history. */
  private resync(): void {
    for (const w of this.running) w.current = false;
    this.payerTimes = new CounterpartyTimes(this.state.payers);
    this.payeeTimes = new CounterpartyTimes(this.state.payees);
    this.history = null;
    this.historyStamp += 1;
    this.revision = this.state.memo.revision;
  }

  private seriesOf(w: RunningWindow): BucketSeries {
    return w.fine ? this.state.fine : this.state.hourly;
  }

  private startIndexOf(w: RunningWindow): number {
    const size = this.seriesOf(w).sizeMs;
    return Math.floor(this.state.lastEventMs / size) - w.spec.lengthMs / size + 1;
  }

  /**
   * Moves a current window's start forward by taking the buckets that left out of its sums; false when
   * it cannot (a leaving bucket may hold the window's maximum, a sum saturated, or most of the window
   * left) and the window must be recomputed.
   */
  private slide(w: RunningWindow, start: number): boolean {
    const from = w.startIndex;
    const size = this.seriesOf(w).sizeMs;
    if (!(start > from) || start - from > w.spec.lengthMs / size / 2) return false;
    const series = this.seriesOf(w);
    const { indexes, values: held } = series;
    const values = w.values;
    for (let f = 0; f < FIELD_COUNT; f++) if (values[f]! >= Number.MAX_SAFE_INTEGER) return false;
    // The buckets leaving the window: positions first..end-1, those with an index in [from, start).
    const first = firstAtOrAfter(series, from);
    let end = first;
    while (end < indexes.length && indexes[end]! < start) end++;
    for (let k = first; k < end; k++) {
      const offset = k * FIELD_COUNT;
      for (let f = 0; f < FIELD_COUNT; f++) {
        const leaving = held[offset + f]!;
        if (IS_MAX[f] && leaving > 0 && leaving >= values[f]!) return false;
      }
    }
    for (let k = first; k < end; k++) {
      const offset = k * FIELD_COUNT;
      for (let f = 0; f < FIELD_COUNT; f++) if (!IS_MAX[f]) values[f] = values[f]! - held[offset + f]!;
    }
    w.startIndex = start;
    w.startMs = start * size;
    return true;
  }

  /**
   * Recomputes the sums of `wanted` (null: every window) and of every other window read before that is
   * not current, in one pass over each bucket series. A window never read stays as it is.
   */
  private recompute(wanted: RunningWindow | null): void {
    const stale = this.running.filter(
      (w) => !w.current && (wanted === null || w === wanted || w.values !== NO_VALUES),
    );
    for (const w of stale) {
      w.startIndex = this.startIndexOf(w);
      w.startMs = w.startIndex * this.seriesOf(w).sizeMs;
      if (w.values === NO_VALUES) w.values = new Array<number>(FIELD_COUNT).fill(0);
      else w.values.fill(0);
      w.fresh = false;
      w.current = true;
    }
    if (Number.isNaN(this.state.lastEventMs)) return;
    const fine = stale.filter((w) => w.fine);
    const hourly = stale.filter((w) => !w.fine);
    if (fine.length) addSeries(fine, this.state.fine);
    if (hourly.length) addSeries(hourly, this.state.hourly);
  }
}

function addSeries(windows: RunningWindow[], series: BucketSeries): void {
  const indexes = series.indexes;
  // The series is in index order: the buckets before every window's start are skipped, not read (the
  // hourly series keeps the baseline's weeks; most windows hold a day of them or less).
  let earliest = Number.POSITIVE_INFINITY;
  for (const w of windows) earliest = Math.min(earliest, w.startIndex);
  for (let k = firstAtOrAfter(series, earliest); k < indexes.length; k++) {
    const index = indexes[k]!;
    for (let i = 0; i < windows.length; i++)
      if (index >= windows[i]!.startIndex) addBucketTo(windows[i]!.values, series, k);
  }
}

type Figures = { -readonly [K in keyof WindowFeatures]: WindowFeatures[K] };

/** A window's figures object, every number a double from the start (one hidden class, no field changes). */
function emptyFigures(spec: WindowSpec): Figures {
  const n = Number.NaN;
  return {
    name: spec.name,
    lengthMs: spec.lengthMs,
    startMs: n,
    endMs: n,
    inCount: n,
    inSum: n,
    inMax: n,
    donationCount: n,
    donationSum: n,
    smallDonationCount: n,
    purchaseCount: n,
    purchaseSum: n,
    nearThresholdCount: n,
    outCount: n,
    outSum: n,
    passOnCount: n,
    passOnSum: n,
    distinctPayers: n,
    newPayers: n,
    repeatPayers: n,
    distinctPayees: n,
  };
}

function writeFigures(
  into: Figures,
  w: RunningWindow,
  distinctPayers: number,
  newPayers: number,
  repeatPayers: number,
  distinctPayees: number,
): WindowFeatures {
  const v = w.values;
  // Field by field: a loop storing by BUCKET_FIELDS name is a keyed store by computed name, 4–6× slower.
  into.startMs = w.startMs;
  into.endMs = w.startMs + w.spec.lengthMs;
  into.inCount = v[F.inCount]!;
  into.inSum = v[F.inSum]!;
  into.inMax = v[F.inMax]!;
  into.donationCount = v[F.donationCount]!;
  into.donationSum = v[F.donationSum]!;
  into.smallDonationCount = v[F.smallDonationCount]!;
  into.purchaseCount = v[F.purchaseCount]!;
  into.purchaseSum = v[F.purchaseSum]!;
  into.nearThresholdCount = v[F.nearThresholdCount]!;
  into.outCount = v[F.outCount]!;
  into.outSum = v[F.outSum]!;
  into.passOnCount = v[F.passOnCount]!;
  into.passOnSum = v[F.passOnSum]!;
  into.distinctPayers = distinctPayers;
  into.newPayers = newPayers;
  into.repeatPayers = repeatPayers;
  into.distinctPayees = distinctPayees;
  return into;
}
