// The watchlist over REST: POST /v1/watchlist, DELETE /v1/watchlist/:walletId, GET /v1/watchlist.
// Entries come from intel.wallet-mentions (compliance's feed and the REST route alike).
import { z } from 'zod';
import { WalletIdSchema } from './wallet-id.js';

const instant = z.iso.datetime({ offset: true });

export const WatchlistAddRequestSchema = z.object({
  walletId: WalletIdSchema,
  /** Where the wallet was seen, e.g. "vk.com/club123 post of 2026-11-20". */
  source: z.string().trim().min(1).max(300),
  url: z.url().max(2000).optional(),
  note: z.string().max(2000).optional(),
  /** When the listing ends; by default WATCHLIST_TTL after now. */
  expiresAt: instant.optional(),
});
export type WatchlistAddRequest = z.infer<typeof WatchlistAddRequestSchema>;

export const WatchlistRemoveRequestSchema = z.object({
  reason: z.string().trim().min(3).max(2000),
});

/** One mention listing the wallet. */
export const WatchlistSourceSchema = z.object({
  mentionId: z.string(),
  source: z.string(),
  url: z.string().optional(),
  note: z.string().optional(),
  seenAt: instant,
  /** When FlowGuard listed it (the mention's record time on the topic). */
  listedAt: instant,
  expiresAt: instant,
});
export type WatchlistSource = z.infer<typeof WatchlistSourceSchema>;

export const WatchlistHitsSchema = z.object({
  /** Alerts citing the watchlist on this wallet since it was listed. */
  count: z.number().int().nonnegative(),
  lastAlertId: z.string().nullable(),
  lastAlertAt: instant.nullable(),
});

export const WatchlistEntrySchema = z.object({
  walletId: WalletIdSchema,
  sources: z.array(WatchlistSourceSchema).min(1),
  /** The earliest listing in force. */
  listedAt: instant,
  /** The latest end of a listing in force. */
  expiresAt: instant,
  hits: WatchlistHitsSchema,
});
export type WatchlistEntry = z.infer<typeof WatchlistEntrySchema>;

export const WatchlistSchema = z.object({ entries: z.array(WatchlistEntrySchema) });
