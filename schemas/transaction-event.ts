// Wire contract v1 of the input topic (payments.transactions): one JSON object per Kafka message.
import { z } from 'zod';

export const TRANSACTION_TYPES = ['deposit', 'transfer', 'payment', 'withdrawal'] as const;

const id = z.string().trim().min(1).max(128);
const isoWithZone = z.iso.datetime({ offset: true });

/** Amounts arrive as "150.00" or 150; kept as a decimal string so no float rounding touches money. */
const decimalAmount = z
  .union([z.string(), z.number()])
  .transform((value) => (typeof value === 'number' ? numberToDecimal(value) : value.trim()))
  .pipe(
    z
      .string()
      .regex(/^\d{1,15}(\.\d{1,8})?$/, 'must be a positive decimal such as "150.00"')
      .refine((value) => Number(value) > 0, 'must be greater than zero'),
  );

function numberToDecimal(value: number): string {
  return Number.isFinite(value) ? value.toFixed(8).replace(/\.?0+$/, '') : 'NaN';
}

export const TransactionEventSchema = z
  .object({
    eventId: id,
    occurredAt: isoWithZone,
    type: z.enum(TRANSACTION_TYPES),
    amount: decimalAmount,
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "RUB"'),
    fromWalletId: id.optional(),
    fromRef: id.optional(),
    toWalletId: id.optional(),
    toRef: id.optional(),
    fromWalletCreatedAt: isoWithZone.optional(),
    toWalletCreatedAt: isoWithZone.optional(),
    channel: z.string().max(64).optional(),
    country: z.string().max(8).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  })
  // Unknown fields are tolerated (stripped), so producers can add fields without breaking us.
  .strip()
  .superRefine((event, ctx) => {
    if ((event.fromWalletId === undefined) === (event.fromRef === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['fromWalletId'],
        message: 'exactly one of fromWalletId or fromRef is required',
      });
    }
    if ((event.toWalletId === undefined) === (event.toRef === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['toWalletId'],
        message: 'exactly one of toWalletId or toRef is required',
      });
    }
    if (event.fromWalletId !== undefined && event.fromWalletId === event.toWalletId) {
      ctx.addIssue({ code: 'custom', path: ['toWalletId'], message: 'a wallet cannot pay itself' });
    }
  });

export type TransactionEvent = z.infer<typeof TransactionEventSchema>;
export type TransactionEventInput = z.input<typeof TransactionEventSchema>;
