// The fields of a time bucket (state/bucket-series.ts), apart from the wallet state so that the series
// and the state can both use them.
/** Numeric fields of one time bucket, in this order. Counts and sums of base-currency minor units. */
export const BUCKET_FIELDS = [
  'inCount', // every inbound payment
  'inSum',
  'inMax', // the largest single inbound amount (kept as a maximum, not summed)
  'donationCount', // inbound deposits and transfers: money given, not a purchase
  'donationSum',
  'smallDonationCount', // of which at or below SMALL_AMOUNT_MAX
  'purchaseCount', // inbound payments (type "payment"): a customer buying from this wallet
  'purchaseSum',
  'nearThresholdCount', // inbound just below the reporting threshold
  'outCount',
  'outSum',
  'passOnCount', // outbound withdrawals and transfers: money passed on, not spent
  'passOnSum',
] as const;
export type BucketField = (typeof BUCKET_FIELDS)[number];
/** Index of each field in a bucket's values. */
export const FIELD = Object.fromEntries(BUCKET_FIELDS.map((name, i) => [name, i])) as {
  readonly [K in BucketField]: number;
};
/** Fields combined by maximum instead of sum. */
export const MAX_FIELDS: ReadonlySet<number> = new Set([FIELD.inMax]);
