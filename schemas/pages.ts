// Paged REST lists: newest first, an opaque cursor to the next page (null at the end).
import { z } from 'zod';
import { AlertSchema } from './alert.js';
import { AuditRecordSchema } from './audit-record.js';
import { WalletFlagSchema } from './wallet-flag.js';

export const CursorSchema = z
  .string()
  .max(512)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by the previous page');

export const AlertPageSchema = z.object({
  alerts: z.array(AlertSchema),
  nextCursor: z.string().nullable(),
});

export const AuditPageSchema = z.object({
  records: z.array(AuditRecordSchema),
  nextCursor: z.string().nullable(),
});

/** A flag with whether it holds now (an active false positive stops holding at expiresAt). */
export const WalletFlagViewSchema = WalletFlagSchema.extend({ inForce: z.boolean() });
export type WalletFlagView = z.infer<typeof WalletFlagViewSchema>;

export const FlagListSchema = z.object({ flags: z.array(WalletFlagViewSchema) });
