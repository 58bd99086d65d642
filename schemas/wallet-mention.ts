// Wire contract v1 of intel.wallet-mentions: a wallet id seen in a public fundraising post.
import { z } from 'zod';
import { WalletIdSchema } from './wallet-id.js';

export const WalletMentionSchema = z.object({
  /** The idempotency key: the same mention sent twice lists the wallet once. */
  mentionId: z.string().trim().min(1).max(128),
  walletId: WalletIdSchema,
  /** Where it was seen, e.g. "vk.com/club123 post of 2026-11-20". */
  source: z.string().trim().min(1).max(300),
  url: z.url().max(2000).optional(),
  seenAt: z.iso.datetime({ offset: true }),
  note: z.string().max(2000).optional(),
  /** When the listing ends; by default WATCHLIST_TTL (90 days) after it was listed. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type WalletMention = z.infer<typeof WalletMentionSchema>;
