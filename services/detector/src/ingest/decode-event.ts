// Kafka message bytes → a normalized event, or the reason it goes to the dead-letter topic.
import { TransactionEventSchema } from '../../../../schemas/transaction-event.js';
import { type ErrorCode, isFlowGuardError } from '../errors.js';
import type { CurrencyConverter } from '../money.js';
import type { NormalizedEvent } from './normalized-event.js';

export type DecodeResult =
  { ok: true; event: NormalizedEvent } | { ok: false; code: ErrorCode; reason: string };

const REF_PREFIX = 'ref:';

export function decodeEvent(value: Buffer | null, converter: CurrencyConverter): DecodeResult {
  if (value === null || value.length === 0) {
    return { ok: false, code: 'FG_EVENT_EMPTY', reason: 'message has no value' };
  }
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, code: 'FG_EVENT_NOT_JSON', reason: `not JSON: ${(error as Error).message}` };
  }
  const parsed = TransactionEventSchema.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    return { ok: false, code: 'FG_EVENT_INVALID', reason };
  }
  const e = parsed.data;
  let amount: number;
  try {
    amount = converter.toBaseMinor(e.amount, e.currency);
  } catch (error) {
    if (isFlowGuardError(error)) return { ok: false, code: error.code, reason: error.message };
    throw error;
  }
  return {
    ok: true,
    event: {
      eventId: e.eventId,
      type: e.type,
      occurredAtMs: Date.parse(e.occurredAt),
      amount,
      from: e.fromWalletId ?? REF_PREFIX + e.fromRef,
      fromWalletId: e.fromWalletId,
      to: e.toWalletId ?? REF_PREFIX + e.toRef,
      toWalletId: e.toWalletId,
      fromOpenedAtMs: e.fromWalletCreatedAt === undefined ? undefined : Date.parse(e.fromWalletCreatedAt),
      toOpenedAtMs: e.toWalletCreatedAt === undefined ? undefined : Date.parse(e.toWalletCreatedAt),
    },
  };
}
