// Wire contract v1 of the alerts topic (payments.alerts): key = walletId, value = this JSON object.
import { z } from 'zod';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

export const EvidenceItemSchema = z.object({
  rule: z.string(),
  feature: z.string(),
  value: z.union([z.number(), z.string()]),
  threshold: z.union([z.number(), z.string()]).optional(),
  comparison: z.enum(['>=', '<=', '>', '<', '=']).optional(),
  window: z.string().optional(),
  unit: z.string().optional(),
});
export type EvidenceItem = z.infer<typeof EvidenceItemSchema>;

/** A wallet this alert is about besides its own: the flagged wallet a replacement shares payers with. */
export const RelatedWalletSchema = z.object({
  walletId: z.string(),
  relation: z.enum(['shares-payers-with']),
  /** Payers of this wallet who also paid the related one (weighted when the related one is very large). */
  sharedPayers: z.number().nonnegative(),
  /** Payers of this wallet FlowGuard holds (the share's denominator). */
  payersHeld: z.number().int().nonnegative(),
  /** Some of the shared payers, for the analyst to look up. */
  samplePayers: z.array(z.string()).max(50),
});
export type RelatedWallet = z.infer<typeof RelatedWalletSchema>;

/** A public mention of the wallet (the watchlist) that the alert cites. */
export const WatchlistCitationSchema = z.object({
  mentionId: z.string(),
  source: z.string(),
  url: z.string().optional(),
  seenAt: z.string(),
});

export type WatchlistCitation = z.infer<typeof WatchlistCitationSchema>;

export const AlertSchema = z.object({
  schemaVersion: z.literal(1),
  alertId: z.string(),
  walletId: z.string(),
  rules: z.array(z.string()).min(1),
  severity: SeveritySchema,
  score: z.number().min(0).max(100),
  detectedAt: z.iso.datetime(),
  eventTime: z.iso.datetime({ offset: true }),
  window: z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }),
  evidence: z.array(EvidenceItemSchema),
  sampleEventIds: z.array(z.string()),
  summary: z.string(),
  previousAlertId: z.string().optional(),
  relatedWalletIds: z.array(z.string()).optional(),
  relatedWallets: z.array(RelatedWalletSchema).optional(),
  watchlist: z.array(WatchlistCitationSchema).optional(),
  /** "backfill" when raised while replaying history at a first deployment (see `flowguard backfill`). */
  origin: z.enum(['live', 'backfill']).optional(),
});
export type Alert = z.infer<typeof AlertSchema>;
