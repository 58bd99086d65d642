// The common case of the input contract checked by hand: a well-formed event is read without zod.
// It only ever ACCEPTS what schemas/transaction-event.ts accepts (a property test holds it to that);
// anything unusual returns null and zod decides, and explains.
import { currencyExponent } from '../../../../schemas/currency.js';
import {
  significantDecimals,
  TRANSACTION_TYPES,
  type TransactionType,
} from '../../../../schemas/transaction-event.js';
import { WALLET_ID_PATTERN } from '../../../../schemas/wallet-id.js';

export interface FastEvent {
  eventId: string;
  occurredAtMs: number;
  type: TransactionType;
  amount: string;
  currency: string;
  fromWalletId: string | undefined;
  fromRef: string | undefined;
  toWalletId: string | undefined;
  toRef: string | undefined;
  fromCreatedAtMs: number | undefined;
  toCreatedAtMs: number | undefined;
  channel: string | undefined;
}

const TYPES: ReadonlySet<string> = new Set(TRANSACTION_TYPES);
const AMOUNT = /^\d{1,12}(\.\d{1,18})?$/;
const NON_ZERO = /[1-9]/;
const CURRENCY = /^[A-Z]{3}$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** ISO-8601 date-time with seconds and a zone, validated field by field → epoch ms; null when not. */
export function parseIsoDateTime(text: string): number | null {
  const m = DATETIME.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return null;
  let offsetMs = 0;
  if (m[8]) {
    const offsetHours = Number(m[9]);
    const offsetMinutes = Number(m[10]);
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    offsetMs = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs;
}

function optionalId(value: unknown): string | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'string' && WALLET_ID_PATTERN.test(value) ? value : null;
}

function optionalTime(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? parseIsoDateTime(value) : null;
}

/** The event when it is certainly valid; null when zod has to look (it may still be valid). */
export function readEventFast(json: unknown): FastEvent | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const o = json as Record<string, unknown>;
  const { eventId, occurredAt, type, amount, currency } = o;
  if (typeof eventId !== 'string' || eventId.length === 0 || eventId.length > 128) return null;
  if (eventId.trim() !== eventId) return null;
  if (typeof occurredAt !== 'string' || typeof type !== 'string' || !TYPES.has(type)) return null;
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) return null;
  const decimal = typeof amount === 'number' ? String(amount) : amount;
  if (typeof decimal !== 'string' || !AMOUNT.test(decimal) || !NON_ZERO.test(decimal)) return null;
  if (significantDecimals(decimal) > currencyExponent(currency)) return null;
  const occurredAtMs = parseIsoDateTime(occurredAt);
  if (occurredAtMs === null) return null;
  const fromWalletId = optionalId(o.fromWalletId);
  const fromRef = optionalId(o.fromRef);
  const toWalletId = optionalId(o.toWalletId);
  const toRef = optionalId(o.toRef);
  if (fromWalletId === null || fromRef === null || toWalletId === null || toRef === null) return null;
  if ((fromWalletId === undefined) === (fromRef === undefined)) return null;
  if ((toWalletId === undefined) === (toRef === undefined)) return null;
  if (fromWalletId !== undefined && fromWalletId === toWalletId) return null;
  const fromCreatedAtMs = optionalTime(o.fromWalletCreatedAt);
  const toCreatedAtMs = optionalTime(o.toWalletCreatedAt);
  if (fromCreatedAtMs === null || toCreatedAtMs === null) return null;
  const { channel, country, metadata } = o;
  if (channel !== undefined && (typeof channel !== 'string' || channel.length > 64)) return null;
  if (country !== undefined && (typeof country !== 'string' || country.length > 8)) return null;
  if (
    metadata !== undefined &&
    (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
  )
    return null;
  return {
    eventId,
    occurredAtMs,
    type: type as TransactionType,
    amount: decimal,
    currency,
    fromWalletId,
    fromRef,
    toWalletId,
    toRef,
    fromCreatedAtMs,
    toCreatedAtMs,
    channel,
  };
}
