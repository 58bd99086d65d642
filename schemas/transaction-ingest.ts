// POST /v1/transactions: one event or a batch, each checked against the input topic's contract.
import { z } from 'zod';
import { TransactionEventSchema } from './transaction-event.js';

/** The documented body; the route checks each event on its own so one bad event rejects only itself. */
export const TransactionIngestRequestSchema = z.union([
  z.object({ events: z.array(TransactionEventSchema).min(1) }),
  TransactionEventSchema,
]);

export const TransactionIngestResultSchema = z.object({
  /** Position of the event in the request (0 for a single event). */
  index: z.number().int().nonnegative(),
  eventId: z.string().nullable(),
  status: z.enum(['accepted', 'rejected']),
  /** FG_* code of a rejection. */
  code: z.string().optional(),
  /** The contract's reasons, "path: message; ...". */
  reason: z.string().optional(),
});
export type TransactionIngestResult = z.infer<typeof TransactionIngestResultSchema>;

export const TransactionIngestResponseSchema = z.object({
  accepted: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  results: z.array(TransactionIngestResultSchema),
});
