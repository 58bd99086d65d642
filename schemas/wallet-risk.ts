// GET /v1/wallets/:walletId/risk: what FlowGuard knows about a wallet right now, for an analyst.
// The state part (score, features, timeline, replacement) comes from the wallet state; flags, watchlist
// and recent alerts from the indexes the API rebuilds from Kafka.
import { z } from 'zod';
import { AlertSchema, SeveritySchema } from './alert.js';
import { WalletFlagSchema } from './wallet-flag.js';
import { WalletIdSchema } from './wallet-id.js';
import { WatchlistSourceSchema } from './watchlist.js';

const instant = z.iso.datetime({ offset: true });

export const RiskRuleSchema = z.object({
  ruleId: z.string(),
  weight: z.number(),
  lastFiredAt: instant,
  /** The rule's share of the score now (its weight decayed since it last fired). */
  contribution: z.number(),
});

export const WalletLifetimeSchema = z.object({
  inCount: z.number().int().nonnegative(),
  /** Base-currency major units (features.currency). */
  inSum: z.number().nonnegative(),
  donationCount: z.number().int().nonnegative(),
  purchaseCount: z.number().int().nonnegative(),
  outCount: z.number().int().nonnegative(),
  outSum: z.number().nonnegative(),
  payersEver: z.number().int().nonnegative(),
});

export const WalletRiskFeaturesSchema = z.object({
  /** The base currency every sum is expressed in. */
  currency: z.string().regex(/^[A-Z]{3}$/),
  /** The opening time the processor sent (null: never sent). */
  openedAt: instant.nullable(),
  ageHours: z.number().nullable(),
  firstSeen: instant,
  lastEvent: instant,
  lifetime: WalletLifetimeSchema,
  /** Window name ("1h", "24h", ...) → its figures (counts, major-unit sums, shares). */
  windows: z.record(z.string(), z.record(z.string(), z.number())),
});

export const TimelineHourSchema = z.object({
  start: instant,
  inbound: z.number().int().nonnegative(),
  donations: z.number().int().nonnegative(),
  purchases: z.number().int().nonnegative(),
  /** Inbound sum of the hour, base-currency major units. */
  sum: z.number().nonnegative(),
});

/** The wallet's own baseline of inbound payments per hour, and the band outside of which an hour stands out. */
export const TimelineBaselineSchema = z.object({
  meanPerHour: z.number(),
  medianPerHour: z.number(),
  madPerHour: z.number(),
  bandLow: z.number(),
  bandHigh: z.number(),
});

export const WalletTimelineSchema = z.object({
  /** Hour by hour, oldest first, over the last days. */
  hours: z.array(TimelineHourSchema),
  /** null while the wallet has too little history for a baseline. */
  baseline: TimelineBaselineSchema.nullable(),
});

export const ReplacementOverlapSchema = z.object({
  /** A flagged wallet this one shares payers with. */
  walletId: WalletIdSchema,
  sharedPayers: z.number().nonnegative(),
  samplePayers: z.array(z.string()),
});

export const WalletReplacementSchema = z.object({
  /** When this wallet's payers became donors (it was flagged); null: never. */
  flaggedAt: instant.nullable(),
  overlaps: z.array(ReplacementOverlapSchema),
});

/** The part of a wallet's risk that comes from its state record (what `riskOf` returns). */
export const WalletStateRiskSchema = z.object({
  walletId: WalletIdSchema,
  score: z.number().min(0).max(100),
  level: SeveritySchema,
  rules: z.array(RiskRuleSchema),
  features: WalletRiskFeaturesSchema,
  timeline: WalletTimelineSchema,
  replacement: WalletReplacementSchema,
});
export type WalletStateRisk = z.infer<typeof WalletStateRiskSchema>;

export const WalletRiskSchema = WalletStateRiskSchema.extend({
  /** Analyst flags in force (active, not expired). */
  flags: z.array(WalletFlagSchema),
  /** The watchlist sources listing the wallet now. */
  watchlist: z.array(WatchlistSourceSchema),
  /** The newest alerts on the wallet, newest first. */
  recentAlerts: z.array(AlertSchema),
});
export type WalletRisk = z.infer<typeof WalletRiskSchema>;
