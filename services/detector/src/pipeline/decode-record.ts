// Kafka record → a normalized event, or the dead-letter reason. Everything an input message can do
// wrong is caught here, before it touches state: size, depth, JSON, the contract, the currency, the
// amount, and event times that claim to be from the future.
import { AMOUNT_PRECISION_CODE, TransactionEventSchema } from '../../../../schemas/transaction-event.js';
import type { FeatureConfig, IngestConfig } from '../config/index.js';
import { bodyFingerprint, fingerprint52 } from '../domain/fingerprint.js';
import { toMinorUnits, type CurrencyConverter } from '../domain/money.js';
import { REF_PREFIX, type EventSource, type NormalizedEvent } from '../domain/transaction.js';
import { type ErrorCode, isFlowGuardError } from '../errors.js';
import { nestsDeeperThan } from './json-depth.js';
import { parseIsoDateTime, readEventFast, type FastEvent } from './transaction-fast-path.js';

export type DecodeResult =
  | { ok: true; event: NormalizedEvent; ignoredOpeningTimes: number }
  | { ok: false; code: ErrorCode; reason: string };

export interface DecodeContext {
  ingest: IngestConfig;
  features: FeatureConfig;
  converter: CurrencyConverter;
  /** Processing time: a record timestamp set in the future by its producer is not believed either. */
  nowMs: number;
}

/** The record as the decoder needs it. */
export interface RecordToDecode {
  value: Buffer | null;
  source: EventSource;
}

const fail = (code: ErrorCode, reason: string): DecodeResult => ({ ok: false, code, reason });

export function decodeRecord(record: RecordToDecode, ctx: DecodeContext): DecodeResult {
  const { value, source } = record;
  const { ingest } = ctx;
  if (value === null || value.length === 0) return fail('FG_EVENT_EMPTY', 'message has no value');
  if (value.length > ingest.maxEventBytes) {
    return fail(
      'FG_EVENT_TOO_LARGE',
      `message is ${value.length} bytes; at most ${ingest.maxEventBytes} are read`,
    );
  }
  if (nestsDeeperThan(value, ingest.maxJsonDepth)) {
    return fail('FG_EVENT_TOO_DEEP', `JSON nests deeper than ${ingest.maxJsonDepth} levels`);
  }
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return fail('FG_EVENT_NOT_JSON', `not JSON: ${(error as Error).message}`);
  }
  const fast = readEventFast(json) ?? readEventWithZod(json);
  if ('code' in fast) return fast;
  return normalize(fast, source, ctx);
}

/** zod decides what the fast path would not, and says why a record breaks the contract. */
function readEventWithZod(json: unknown): FastEvent | { ok: false; code: ErrorCode; reason: string } {
  const parsed = TransactionEventSchema.safeParse(json);
  if (!parsed.success) {
    const precision = parsed.error.issues.find(
      (issue) => issue.code === 'custom' && issue.params?.code === AMOUNT_PRECISION_CODE,
    );
    if (precision) return { ok: false, code: 'FG_AMOUNT_PRECISION', reason: precision.message };
    const reason = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    return { ok: false, code: 'FG_EVENT_INVALID', reason };
  }
  const e = parsed.data;
  return {
    eventId: e.eventId,
    occurredAtMs: parseIsoDateTime(e.occurredAt) ?? Date.parse(e.occurredAt),
    type: e.type,
    amount: e.amount,
    amountMinor: null,
    currency: e.currency,
    fromWalletId: e.fromWalletId,
    fromRef: e.fromRef,
    toWalletId: e.toWalletId,
    toRef: e.toRef,
    fromCreatedAtMs: e.fromWalletCreatedAt === undefined ? undefined : Date.parse(e.fromWalletCreatedAt),
    toCreatedAtMs: e.toWalletCreatedAt === undefined ? undefined : Date.parse(e.toWalletCreatedAt),
    channel: e.channel,
  };
}

function normalize(e: FastEvent, source: EventSource, ctx: DecodeContext): DecodeResult {
  const { ingest, features } = ctx;
  let amount: number;
  let minor: number;
  try {
    minor = e.amountMinor ?? toMinorUnits(e.amount, e.currency);
    amount = ctx.converter.baseMinorOf(minor, e.currency);
  } catch (error) {
    if (isFlowGuardError(error)) return fail(error.code, error.message);
    throw error;
  }
  if (amount > ingest.maxAmountMinor) {
    return fail(
      'FG_AMOUNT_OUT_OF_RANGE',
      `amount ${e.amount} ${e.currency} is above the ${features.base.format(ingest.maxAmountMinor)} believed for one payment`,
    );
  }
  // Event time is checked against the record's own time (never later than now): one event dated
  // weeks ahead must not become a wallet's newest time and push every real event out of its windows.
  const reference = Math.min(source.timestampMs, ctx.nowMs);
  if (e.occurredAtMs > reference + ingest.eventTimeSkewMs) {
    return fail(
      'FG_EVENT_TIME_SKEW',
      `occurredAt ${new Date(e.occurredAtMs).toISOString()} is ${Math.round((e.occurredAtMs - reference) / 1000)} s ahead of the record's time ${new Date(reference).toISOString()}`,
    );
  }
  // An old event is welcome (a late delivery): it counts in the wallet's lifetime figures and, when
  // older than every bucket the wallet keeps, in no window (counted as beyond-retention). Only a time
  // before the floor is not a payment time at all.
  if (e.occurredAtMs < ingest.walletCreatedFloorMs) {
    return fail(
      'FG_EVENT_TOO_OLD',
      `occurredAt ${new Date(e.occurredAtMs).toISOString()} is before ${new Date(ingest.walletCreatedFloorMs).toISOString()} (WALLET_CREATED_FLOOR)`,
    );
  }
  // An opening time is a claim: after the event, or before the floor, it is ignored (counted), so it
  // can never make a young wallet look old.
  const fromOpenedAtMs = plausibleOpening(e.fromCreatedAtMs, e.occurredAtMs, ingest.walletCreatedFloorMs);
  const toOpenedAtMs = plausibleOpening(e.toCreatedAtMs, e.occurredAtMs, ingest.walletCreatedFloorMs);
  const ignoredOpeningTimes =
    Number(fromOpenedAtMs !== e.fromCreatedAtMs) + Number(toOpenedAtMs !== e.toCreatedAtMs);
  const from = e.fromWalletId ?? REF_PREFIX + e.fromRef!;
  const to = e.toWalletId ?? REF_PREFIX + e.toRef!;
  const event: NormalizedEvent = {
    eventId: e.eventId,
    idHash: fingerprint52(e.eventId),
    // The meaning of the body, not its bytes: "150" and "150.00" are the same payment.
    bodyHash: bodyFingerprint(e.type, e.occurredAtMs, minor, e.currency, from, to),
    type: e.type,
    occurredAtMs: e.occurredAtMs,
    amount,
    from,
    fromWalletId: e.fromWalletId,
    to,
    toWalletId: e.toWalletId,
    fromOpenedAtMs,
    toOpenedAtMs,
    channel: e.channel,
    source,
  };
  return { ok: true, event, ignoredOpeningTimes };
}

/**
 * The claimed opening time, or undefined when there is none or it is not believable. A module-level
 * function, not a closure: under tsx every closure a call creates also costs a `__name` call.
 */
function plausibleOpening(
  claim: number | undefined,
  occurredAtMs: number,
  floorMs: number,
): number | undefined {
  return claim === undefined || claim > occurredAtMs || claim < floorMs ? undefined : claim;
}
