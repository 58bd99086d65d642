// Analyst flags on a wallet: the request (POST /v1/wallets/:walletId/flags) and the flag as recorded.
import { z } from 'zod';
import { WalletIdSchema } from './wallet-id.js';

export { WalletIdSchema } from './wallet-id.js';

export const FLAG_KINDS = ['confirmed', 'false-positive', 'blocked'] as const;
export type FlagKind = (typeof FLAG_KINDS)[number];

export const RuleIdSchema = z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a rule id');

export const WalletFlagRequestSchema = z.object({
  kind: z.enum(FLAG_KINDS),
  /** Why: required, so every decision can be read back in the audit trail. */
  reason: z.string().trim().min(3).max(2000),
  /**
   * For a false positive: the rule to silence (it must be in the catalog). Without it the flag silences
   * every rule of the wallet, which takes a second principal's approval (maker-checker) and expires.
   */
  ruleId: RuleIdSchema.optional(),
});
export type WalletFlagRequest = z.infer<typeof WalletFlagRequestSchema>;

export const FLAG_STATUSES = ['active', 'pending-approval', 'rejected', 'revoked'] as const;

export const PrincipalSchema = z.object({
  id: z.string().min(1).max(200),
  kind: z.enum(['api-key', 'oidc', 'system']),
});
export type Principal = z.infer<typeof PrincipalSchema>;

/** A flag as FlowGuard records it: who asked, who approved, until when it holds. */
export const WalletFlagSchema = z.object({
  flagId: z.string().min(1).max(64),
  walletId: WalletIdSchema,
  kind: z.enum(FLAG_KINDS),
  /** null: every rule of the wallet (false positives only). */
  ruleId: RuleIdSchema.nullable(),
  reason: z.string(),
  status: z.enum(FLAG_STATUSES),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  approvedBy: z.string().optional(),
  approvedAt: z.iso.datetime().optional(),
  revokedBy: z.string().optional(),
  revokedAt: z.iso.datetime().optional(),
  /** A false-positive silence ends here; confirmed and blocked flags hold until revoked (null). */
  expiresAt: z.iso.datetime().nullable(),
});
export type WalletFlag = z.infer<typeof WalletFlagSchema>;

/** POST /v1/flags/:flagId/reject and /revoke: why (required, for the audit trail). */
export const FlagReasonRequestSchema = z.object({ reason: z.string().trim().min(3).max(2000) });

/** POST /v1/flags/:flagId/approve: an optional note. */
export const FlagApprovalRequestSchema = z.object({ reason: z.string().trim().min(3).max(2000).optional() });
