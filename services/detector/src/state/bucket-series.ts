// The sparse time buckets of one size, flat: bucket indexes in ascending order, and their values in
// one list, BUCKET_WIDTH numbers a bucket. A map of one array per bucket was three heap objects a
// bucket (its values, their backing store, the map's entry) and a map table per series: about a third
// of the objects an ordinary cached wallet held, every one traced by the collector, and rebuilt by
// every decode. Most events land in the newest bucket, which is looked at first; a late event inserts
// in the middle (the later buckets shift up), and the buckets that leave retention go from the front.
import { BUCKET_FIELDS, MAX_FIELDS } from './wallet-state-fields.js';

/** Numbers a bucket takes in BucketSeries.values (BUCKET_FIELDS order). */
export const BUCKET_WIDTH = BUCKET_FIELDS.length;
const W = BUCKET_WIDTH;
const IS_MAX_FIELD: readonly boolean[] = BUCKET_FIELDS.map((_, f) => MAX_FIELDS.has(f));

/**
 * Sparse buckets of one size. `indexes[k]` is the bucket index (floor(eventMs / sizeMs)) of the k-th
 * bucket, ascending; its values are `values[k * BUCKET_WIDTH + field]`, in BUCKET_FIELDS order.
 */
export interface BucketSeries {
  sizeMs: number;
  indexes: number[];
  values: number[];
}

export function emptySeries(sizeMs: number): BucketSeries {
  return { sizeMs, indexes: [], values: [] };
}

export function bucketCount(series: BucketSeries): number {
  return series.indexes.length;
}

/** The position of the first bucket at or after `index` (bucketCount when there is none). */
export function firstAtOrAfter(series: BucketSeries, index: number): number {
  const indexes = series.indexes;
  let lo = 0;
  let hi = indexes.length;
  // The newest bucket first: most events land there.
  if (hi > 0 && indexes[hi - 1]! < index) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (indexes[mid]! < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The position of bucket `index`, or -1 when the series does not hold it. */
export function positionOf(series: BucketSeries, index: number): number {
  const at = firstAtOrAfter(series, index);
  return series.indexes[at] === index ? at : -1;
}

/** One field of the bucket at `position`. */
export function valueAt(series: BucketSeries, position: number, field: number): number {
  return series.values[position * W + field]!;
}

/**
 * Adds one event's values (BUCKET_FIELDS order) into bucket `index`, making the bucket if the series
 * has none: sums saturate at the largest exact integer, MAX_FIELDS keep the larger.
 */
export function addToSeries(series: BucketSeries, index: number, contribution: readonly number[]): void {
  const at = firstAtOrAfter(series, index);
  if (series.indexes[at] === index) combine(series.values, at * W, contribution, 0);
  else insertAt(series, at, index, contribution);
}

/**
 * Puts a bucket into the series, wherever its index falls; false when the series holds that index
 * already. `bucket` is copied. For tests and tools (seriesOf); the hot path adds with addToSeries.
 */
export function insertBucket(series: BucketSeries, index: number, bucket: readonly number[]): boolean {
  const at = firstAtOrAfter(series, index);
  if (series.indexes[at] === index) return false;
  insertAt(series, at, index, bucket);
  return true;
}

/** A new bucket at position `at`: exactly BUCKET_WIDTH numbers, missing ones as 0. */
function insertAt(series: BucketSeries, at: number, index: number, bucket: readonly number[]): void {
  const { indexes, values } = series;
  if (at === indexes.length) {
    // The newest bucket (most new buckets): appended, no splice.
    indexes.push(index);
    for (let f = 0; f < W; f++) values.push(bucket[f] ?? 0);
    return;
  }
  // A late bucket: the later ones shift up by plain loops, ~5x faster than splicing in the spread of a
  // new bucket (which also allocated twice).
  indexes.push(index);
  for (let k = indexes.length - 1; k > at; k--) indexes[k] = indexes[k - 1]!;
  indexes[at] = index;
  const from = at * W;
  for (let f = 0; f < W; f++) values.push(0);
  for (let k = values.length - 1; k >= from + W; k--) values[k] = values[k - W]!;
  for (let f = 0; f < W; f++) values[from + f] = bucket[f] ?? 0;
}

/** Drops every bucket below `index`. */
export function dropBefore(series: BucketSeries, index: number): void {
  const keep = firstAtOrAfter(series, index);
  if (keep === 0) return;
  // A splice: a native move, ~3x faster than a loop here, and the small array of what it removed dies
  // young (copyWithin, tried, takes a generic path ~30x slower).
  series.indexes.splice(0, keep);
  series.values.splice(0, keep * W);
}

/** Adds the bucket at `position` into `into` (BUCKET_FIELDS order): sums, and maxima for MAX_FIELDS. */
export function addBucketTo(into: number[], series: BucketSeries, position: number): void {
  combine(into, 0, series.values, position * W);
}

/** Adds bucket values into `into` (both BUCKET_FIELDS order): sums, and maxima for MAX_FIELDS. */
export function addValues(into: number[], values: readonly number[]): void {
  combine(into, 0, values, 0);
}

/** The one merge rule: the bucket at `from[fromAt…]` into the one at `into[intoAt…]`. */
function combine(into: number[], intoAt: number, from: readonly number[], fromAt: number): void {
  for (let f = 0; f < W; f++) {
    const v = from[fromAt + f]!;
    if (v === 0) continue;
    const at = intoAt + f;
    into[at] = IS_MAX_FIELD[f] ? Math.max(into[at]!, v) : saturatingAdd(into[at]!, v);
  }
}

/**
 * Sums of minor units stop at the largest exact integer: a lifetime of maximal payments (about 900,000
 * of MAX_AMOUNT) would otherwise leave the range the record can store, and the wallet could no longer
 * be written — a hostile sender could blind it that way. A saturated sum reads as "at least this".
 */
export function saturatingAdd(a: number, b: number): number {
  const sum = a + b;
  return sum > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : sum;
}

/** The series as a map of bucket index → values (a copy; for tests and tools, not the hot path). */
export function bucketsOf(series: BucketSeries): Map<number, number[]> {
  const buckets = new Map<number, number[]>();
  for (let k = 0; k < series.indexes.length; k++) {
    buckets.set(series.indexes[k]!, series.values.slice(k * W, (k + 1) * W));
  }
  return buckets;
}

/** A series holding these buckets (index → values in BUCKET_FIELDS order), in any order. */
export function seriesOf(
  sizeMs: number,
  buckets: Iterable<readonly [number, readonly number[]]>,
): BucketSeries {
  const series = emptySeries(sizeMs);
  for (const [index, values] of buckets) insertBucket(series, index, values);
  return series;
}
