// The common case of the input contract checked by hand: a well-formed event is read without zod.
// It only ever ACCEPTS what schemas/transaction-event.ts accepts (a property test holds it to that);
// anything unusual returns null and zod decides, and explains.
import { currencyExponent } from '../../../../schemas/currency.js';
import { TRANSACTION_TYPES, type TransactionType } from '../../../../schemas/transaction-event.js';
import { plainMinorUnits } from '../domain/money.js';
import { WALLET_ID_PATTERN } from '../../../../schemas/wallet-id.js';

export interface FastEvent {
  eventId: string;
  occurredAtMs: number;
  type: TransactionType;
  amount: string;
  /** The amount in the currency's minor units, when the fast path read it (null: not read yet). */
  amountMinor: number | null;
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
const CURRENCY = /^[A-Z]{3}$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number of `count` digits at `at`, or -1. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * ISO-8601 date-time with seconds and a zone (YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)), validated
 * field by field → epoch ms; null when not. Read character by character: every event has two or three.
 */
export function parseIsoDateTime(text: string): number | null {
  const n = text.length;
  if (n < 20) return null;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return null;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':')
    return null;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return null;
  let at = 19;
  let millis = 0;
  if (text[at] === '.') {
    const start = ++at;
    while (at < n && digitsAt(text, at, 1) >= 0) at++;
    if (at === start) return null;
    // Milliseconds from the first three digits (fewer are padded with zeros); the rest is dropped.
    for (let i = start; i < start + 3; i++) millis = millis * 10 + (i < at ? text.charCodeAt(i) - 48 : 0);
  }
  let offsetMs = 0;
  if (text[at] === 'Z') at += 1;
  else {
    const sign = text[at];
    if ((sign !== '+' && sign !== '-') || at + 6 !== n || text[at + 3] !== ':') return null;
    const offsetHours = digitsAt(text, at + 1, 2);
    const offsetMinutes = digitsAt(text, at + 4, 2);
    if (offsetHours < 0 || offsetMinutes < 0 || offsetHours > 23 || offsetMinutes > 59) return null;
    offsetMs = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
    at += 6;
  }
  if (at !== n) return null;
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
  if (typeof decimal !== 'string') return null;
  const amountMinor = plainMinorUnits(decimal, currencyExponent(currency));
  if (amountMinor === null || amountMinor === 0) return null;
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
    amountMinor,
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
