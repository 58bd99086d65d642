// The input contract at the door: every way a message can be wrong is a dead-letter code, and the
// hand-written fast path never accepts what the zod contract refuses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TransactionEventSchema } from '../../../schemas/transaction-event.js';
import { loadConfig } from '../../../services/detector/src/config/index.js';
import { CurrencyConverter, toMinorUnits } from '../../../services/detector/src/domain/money.js';
import { DAY_MS, MINUTE_MS } from '../../../services/detector/src/domain/time.js';
import { decodeRecord, type DecodeContext } from '../../../services/detector/src/pipeline/decode-record.js';
import {
  parseIsoDateTime,
  readEventFast,
} from '../../../services/detector/src/pipeline/transaction-fast-path.js';

const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' });
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const ctx: DecodeContext = {
  ingest: config.ingest,
  features: config.features,
  converter: new CurrencyConverter(config.features.base, config.features.fxRates),
  nowMs: NOW,
};

const base = {
  eventId: 'ev-1',
  occurredAt: '2026-11-25T11:59:00Z',
  type: 'deposit',
  amount: '150.00',
  currency: 'RUB',
  fromRef: 'card-1',
  toWalletId: 'w-1',
};

function decode(value: unknown, timestampMs = NOW) {
  const bytes = Buffer.isBuffer(value)
    ? value
    : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return decodeRecord(
    { value: bytes, source: { topic: 't', partition: 0, offset: 7, timestampMs, streamKey: 'i/0' } },
    ctx,
  );
}

function codeOf(value: unknown, timestampMs = NOW): string {
  const result = decode(value, timestampMs);
  return result.ok ? 'ok' : result.code;
}

describe('decodeRecord', () => {
  it('reads a valid event into base minor units with its source and fingerprints', () => {
    const result = decode({ ...base, amount: 12.5, currency: 'USD' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.amount).toBe(112_500); // 12.50 USD at 90 RUB
    expect(result.event.from).toBe('ref:card-1');
    expect(result.event.toWalletId).toBe('w-1');
    expect(result.event.occurredAtMs).toBe(NOW - MINUTE_MS);
    expect(result.event.source.offset).toBe(7);
    expect(Number.isSafeInteger(result.event.idHash)).toBe(true);
  });

  it('gives the same body fingerprint to the same payment written differently, another to a changed one', () => {
    const a = decode(base);
    const b = decode({ ...base, amount: 150, occurredAt: '2026-11-25T14:59:00+03:00' });
    const c = decode({ ...base, amount: '151.00' });
    if (!a.ok || !b.ok || !c.ok) throw new Error('expected valid events');
    expect(b.event.bodyHash).toBe(a.event.bodyHash);
    expect(c.event.bodyHash).not.toBe(a.event.bodyHash);
    expect(c.event.idHash).toBe(a.event.idHash);
  });

  it('reads a shallow event with many braces and brackets, in strings or side by side', () => {
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, { v: [i] }]));
    expect(codeOf({ ...base, metadata: wide })).toBe('ok');
    expect(codeOf({ ...base, metadata: { note: '[[[[{{{{'.repeat(10) } })).toBe('ok');
  });

  it('dead-letters what cannot be read, with a code for each reason', () => {
    expect(codeOf(Buffer.alloc(0))).toBe('FG_EVENT_EMPTY');
    expect(codeOf('{not json')).toBe('FG_EVENT_NOT_JSON');
    expect(codeOf('x'.repeat(900_000))).toBe('FG_EVENT_TOO_LARGE');
    expect(codeOf('['.repeat(5_000) + ']'.repeat(5_000))).toBe('FG_EVENT_TOO_DEEP');
    expect(codeOf({ ...base, metadata: { a: { b: { c: { d: { e: { f: { g: { h: 1 } } } } } } } } })).toBe(
      'FG_EVENT_TOO_DEEP',
    );
    expect(codeOf({ ...base, type: 'gift' })).toBe('FG_EVENT_INVALID');
    expect(codeOf({ ...base, currency: 'XYZ' })).toBe('FG_UNKNOWN_CURRENCY');
    expect(codeOf({ ...base, amount: '999999999999' })).toBe('FG_AMOUNT_OUT_OF_RANGE');
    expect(codeOf({ ...base, amount: '1e5' })).toBe('FG_EVENT_INVALID');
  });

  it('refuses amounts finer than the currency whether sent as a string or a number', () => {
    expect(codeOf({ ...base, amount: 150.000000001 })).toBe('FG_AMOUNT_PRECISION');
    expect(codeOf({ ...base, amount: '150.001' })).toBe('FG_AMOUNT_PRECISION');
    expect(codeOf({ ...base, amount: '150.10', currency: 'JPY' })).toBe('FG_AMOUNT_PRECISION');
    expect(codeOf({ ...base, amount: '150.000' })).toBe('ok');
  });

  it('refuses wallet ids that REST could not query: braces, spaces, control characters', () => {
    expect(codeOf({ ...base, toWalletId: 'w{1}' })).toBe('FG_EVENT_INVALID');
    expect(codeOf({ ...base, toWalletId: 'w 1' })).toBe('FG_EVENT_INVALID');
    expect(codeOf({ ...base, fromRef: 'card\u0000' })).toBe('FG_EVENT_INVALID');
    expect(codeOf({ ...base, toWalletId: 'x'.repeat(129) })).toBe('FG_EVENT_INVALID');
  });

  it('dead-letters an event dated ahead of its record, and one before the floor', () => {
    expect(codeOf({ ...base, occurredAt: new Date(NOW + 16 * DAY_MS).toISOString() })).toBe(
      'FG_EVENT_TIME_SKEW',
    );
    expect(codeOf({ ...base, occurredAt: new Date(NOW + 4 * MINUTE_MS).toISOString() })).toBe('ok');
    // A producer that also stamps its record in the future gains nothing: now bounds the reference.
    expect(codeOf({ ...base, occurredAt: new Date(NOW + DAY_MS).toISOString() }, NOW + 2 * DAY_MS)).toBe(
      'FG_EVENT_TIME_SKEW',
    );
    // A late event is welcome (it counts in lifetime figures); a time before the floor is refused.
    expect(codeOf({ ...base, occurredAt: new Date(NOW - 20 * DAY_MS).toISOString() })).toBe('ok');
    expect(codeOf({ ...base, occurredAt: '1999-12-31T23:59:59Z' })).toBe('FG_EVENT_TOO_OLD');
  });

  it('ignores an opening time after the event or before the floor, and keeps a plausible one', () => {
    const after = decode({ ...base, toWalletCreatedAt: '2026-11-25T11:59:30Z' });
    const floor = decode({ ...base, toWalletCreatedAt: '1970-01-01T00:00:00Z' });
    const fine = decode({ ...base, toWalletCreatedAt: '2026-11-20T00:00:00Z' });
    if (!after.ok || !floor.ok || !fine.ok) throw new Error('expected valid events');
    expect(after.event.toOpenedAtMs).toBeUndefined();
    expect(after.ignoredOpeningTimes).toBe(1);
    expect(floor.event.toOpenedAtMs).toBeUndefined();
    expect(fine.event.toOpenedAtMs).toBe(Date.UTC(2026, 10, 20));
  });
});

describe('the fast path', () => {
  const field = <T>(valid: T[], invalid: unknown[]) =>
    fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...valid) }, fc.constantFrom(undefined, ...invalid));
  const candidate = fc.record(
    {
      eventId: field(['e-1', 'x'.repeat(128)], ['', ' e ', 'x'.repeat(129), 7]),
      occurredAt: field(
        ['2026-11-25T11:59:00Z', '2024-02-29T23:59:59.123456+03:00', '2026-01-01T00:00:00-00:00'],
        [
          '2026-02-30T00:00:00Z',
          '2026-11-25T24:00:00Z',
          '2026-11-25T11:59Z',
          '2026-11-25T11:59:00+0300',
          'now',
        ],
      ),
      type: field(['deposit', 'transfer', 'payment', 'withdrawal'], ['gift', 1]),
      amount: field(
        ['150.00', '0.01', 150, 0.5, '999999999999'],
        ['0', '0.00', '-1', '1e5', 1e21, '150.001', ' 1'],
      ),
      currency: field(['RUB', 'USD', 'JPY', 'KWD'], ['rub', 'RUBL']),
      fromWalletId: field(['w-a', 'w:b@c'], ['w a', '{w}', '']),
      fromRef: field(['card-1'], ['card 1']),
      toWalletId: field(['w-a', 'w-z'], ['w}z']),
      toRef: field(['shop-1'], [null]),
      toWalletCreatedAt: field(['2026-11-01T00:00:00Z'], ['yesterday']),
      channel: field(['card', 'x'.repeat(64)], ['x'.repeat(65), 3]),
      metadata: field([{ a: 1 }], [[1], null, 'm']),
    },
    { requiredKeys: [] },
  );

  it('accepts only what the zod contract accepts, and reads it the same', () => {
    fc.assert(
      fc.property(candidate, (object) => {
        const json = JSON.parse(JSON.stringify(object)) as unknown;
        const fast = readEventFast(json);
        const zod = TransactionEventSchema.safeParse(json);
        if (fast === null) return;
        expect(zod.success).toBe(true);
        if (!zod.success) return;
        expect(fast.eventId).toBe(zod.data.eventId);
        expect(fast.amount).toBe(zod.data.amount);
        expect(fast.amountMinor).toBe(toMinorUnits(zod.data.amount, zod.data.currency));
        expect(fast.occurredAtMs).toBe(Date.parse(zod.data.occurredAt));
        expect(fast.toWalletId).toBe(zod.data.toWalletId);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads an event time exactly as the contract does, whatever the text', () => {
    // The reading before it was written by hand: the contract's pattern, validated field by field.
    const PATTERN =
      /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;
    const byPattern = (text: string): number | null => {
      const m = PATTERN.exec(text);
      if (!m) return null;
      const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
      if (month! < 1 || month! > 12 || day! < 1 || hour! > 23 || minute! > 59 || second! > 59) return null;
      const leap = year! % 4 === 0 && (year! % 100 !== 0 || year! % 400 === 0);
      const days = [31, month === 2 && leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month! - 1]!;
      if (day! > days) return null;
      let offsetMs = 0;
      if (m[8]) {
        if (Number(m[9]) > 23 || Number(m[10]) > 59) return null;
        offsetMs = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) * 60_000;
      }
      const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
      return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!, millis) - offsetMs;
    };
    const two = (max: number) => fc.integer({ min: 0, max }).map((v) => String(v).padStart(2, '0'));
    const wellFormed = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }).map((y) => String(y).padStart(4, '0')),
        two(13),
        two(32),
        two(24),
        two(60),
        two(60),
        fc.option(fc.stringMatching(/^\d{1,7}$/)),
        fc.oneof(
          fc.constant('Z'),
          fc.tuple(fc.constantFrom('+', '-'), two(24), two(60)).map(([s, h, m]) => `${s}${h}:${m}`),
        ),
      )
      .map(([y, mo, d, h, mi, s, f, z]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${f === null ? '' : `.${f}`}${z}`);
    // Damaged: one character replaced, dropped or added anywhere.
    const damaged = fc
      .tuple(
        wellFormed,
        fc.nat(),
        fc.constantFrom('', '0', '9', 'Z', ':', '.', '-', '+', 'T', 'x', ' '),
        fc.nat(2),
      )
      .map(([text, at, c, how]) => {
        const i = at % (text.length + 1);
        return how === 0
          ? text.slice(0, i) + c + text.slice(i + 1)
          : how === 1
            ? text.slice(0, i) + text.slice(i + 1)
            : text.slice(0, i) + c + text.slice(i);
      });
    fc.assert(
      fc.property(fc.oneof(wellFormed, damaged, fc.string({ maxLength: 30 })), (text) => {
        expect(parseIsoDateTime(text)).toBe(byPattern(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('takes the common event without zod', () => {
    expect(readEventFast(base)).not.toBeNull();
    expect(readEventFast({ ...base, amount: 150.5 })).not.toBeNull();
  });
});
