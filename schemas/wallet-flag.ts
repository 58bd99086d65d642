// Analyst feedback on a wallet (POST /v1/wallets/:walletId/flags).
import { z } from 'zod';

export const FLAG_KINDS = ['confirmed', 'false-positive', 'blocked'] as const;

export const WalletIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'walletId may hold letters, digits and . _ : @ - only');

export const WalletFlagRequestSchema = z.object({
  kind: z.enum(FLAG_KINDS),
  analyst: z.string().min(1).max(128),
  note: z.string().max(2000).optional(),
  /** For a false positive: which rule to silence; all rules when absent. */
  ruleId: z.string().max(64).optional(),
});
export type WalletFlagRequest = z.infer<typeof WalletFlagRequestSchema>;
