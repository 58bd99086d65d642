// Wire contract v1 of the input topic (payments.transactions): one JSON object per Kafka message.
// The same schema validates POST /v1/transactions, so HTTP and Kafka producers meet one contract.
import { z } from 'zod';
import { currencyExponent } from './currency.js';
import { WalletIdSchema } from './wallet-id.js';

export const TRANSACTION_TYPES = ['deposit', 'transfer', 'payment', 'withdrawal'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/** Error codes a contract issue can carry (as `params.code`) so the dead-letter record names it. */
export const AMOUNT_PRECISION_CODE = 'FG_AMOUNT_PRECISION';

const isoWithZone = z.iso.datetime({ offset: true });

/**
 * Amounts arrive as "150.00" or 150 and are kept as a decimal string so no float rounding touches
 * money. A number is read through its shortest round-trip form, so 150.000000001 stays what it is and
 * is refused for its decimals rather than rounded to 150. At most 12 integer digits: every amount then
 * fits a double exactly in minor units.
 */
const decimalAmount = z
  .union([z.string(), z.number()])
  .transform((value) => (typeof value === 'number' ? String(value) : value.trim()))
  .pipe(
    z
      .string()
      .regex(
        /^\d{1,12}(\.\d{1,18})?$/,
        'must be a positive decimal such as "150.00", at most 12 integer digits',
      )
      .refine((value) => /[1-9]/.test(value), 'must be greater than zero'),
  );

/** Decimals that carry value ("150.50" has one, "150.00" none). */
export function significantDecimals(decimal: string): number {
  const fraction = decimal.split('.')[1] ?? '';
  return fraction.replace(/0+$/, '').length;
}

export const TransactionEventSchema = z
  .object({
    eventId: z.string().trim().min(1).max(128),
    occurredAt: isoWithZone,
    type: z.enum(TRANSACTION_TYPES),
    amount: decimalAmount,
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "RUB"'),
    fromWalletId: WalletIdSchema.optional(),
    fromRef: WalletIdSchema.optional(),
    toWalletId: WalletIdSchema.optional(),
    toRef: WalletIdSchema.optional(),
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
    const exponent = currencyExponent(event.currency);
    if (significantDecimals(event.amount) > exponent) {
      ctx.addIssue({
        code: 'custom',
        path: ['amount'],
        message: `amount ${event.amount} ${event.currency} is finer than the currency's minor unit (${exponent} decimals)`,
        params: { code: AMOUNT_PRECISION_CODE },
      });
    }
  });

export type TransactionEvent = z.infer<typeof TransactionEventSchema>;
export type TransactionEventInput = z.input<typeof TransactionEventSchema>;
