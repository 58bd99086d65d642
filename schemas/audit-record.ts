// Wire contract v1 of flowguard.audit (key = walletId, long retention): every analyst decision and
// every alert FlowGuard suppressed because of one. Kafka is its system of record; the detector applies
// the decisions it reads here to its state, and the audit index in Redis is rebuilt from it.
import { z } from 'zod';
import { PrincipalSchema, WalletFlagSchema } from './wallet-flag.js';
import { WalletIdSchema } from './wallet-id.js';
import { WalletMentionSchema } from './wallet-mention.js';

export const AUDIT_ACTIONS = [
  'flag.recorded', // a flag in force at once (confirmed, blocked, false positive on one rule)
  'flag.requested', // a false positive on every rule, waiting for a second principal
  'flag.approved',
  'flag.rejected',
  'flag.revoked',
  'watchlist.added',
  'watchlist.removed',
  'alert.suppressed', // an alert the rules raised and an analyst flag silenced (written by the detector)
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AuditRecordSchema = z.object({
  schemaVersion: z.literal(1),
  /** Unique per record; consumers de-duplicate on it. */
  auditId: z.string().min(1).max(64),
  action: z.enum(AUDIT_ACTIONS),
  at: z.iso.datetime(),
  principal: PrincipalSchema,
  requestId: z.string().max(128).optional(),
  walletId: WalletIdSchema,
  reason: z.string().max(2000).optional(),
  /** The flag after this action (flag.* actions). */
  flag: WalletFlagSchema.optional(),
  /** The watchlist entry added or removed (watchlist.* actions). */
  mention: WalletMentionSchema.optional(),
  /** The suppressed alert (alert.suppressed): its id, rules and the flag that silenced it. */
  suppressed: z
    .object({ alertId: z.string(), rules: z.array(z.string()), flagId: z.string().nullable() })
    .optional(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;
