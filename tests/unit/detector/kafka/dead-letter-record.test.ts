// Dead letters always fit the broker's limit and describe the whole original (size, SHA-256).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadLetterSchema } from '../../../../schemas/dead-letter.js';
import {
  deadLetterRecord,
  ORIGINAL_PREFIX_BYTES,
} from '../../../../services/detector/src/kafka/dead-letter-record.js';
import type { SourceRecord } from '../../../../services/detector/src/kafka/chunk-contract.js';

const MAX = 1_048_576;

function source(value: Buffer | null, key: Buffer | null = Buffer.from('k')): SourceRecord {
  return { topic: 'payments.transactions', partition: 2, offset: '12345', timestampMs: 0, key, value };
}

function letterOf(
  value: Buffer | null,
  options: { maxBytes?: number; reason?: string; includeOriginal?: boolean } = {},
) {
  const record = deadLetterRecord({
    topic: 'payments.transactions.dlq',
    source: source(value),
    code: 'FG_PROCESSING_FAILED',
    reason: options.reason ?? 'boom',
    attempts: 3,
    nowMs: Date.UTC(2026, 0, 1),
    maxBytes: options.maxBytes ?? MAX,
    includeOriginal: options.includeOriginal,
  });
  return { record, letter: DeadLetterSchema.parse(JSON.parse(String(record.value))) };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('deadLetterRecord', () => {
  it('keeps a small original whole, keyed by its source position', () => {
    const value = Buffer.from('{"not":"valid"');
    const { record, letter } = letterOf(value);
    expect(record.key).toBe('payments.transactions/2/12345');
    expect(record.topic).toBe('payments.transactions.dlq');
    expect(Buffer.from(letter.originalValueBase64!, 'base64')).toEqual(value);
    expect(letter).toMatchObject({
      code: 'FG_PROCESSING_FAILED',
      reason: 'boom',
      attempts: 3,
      originalTruncated: false,
      originalSize: value.length,
      originalSha256: sha(value),
      originalKey: 'k',
      source: { topic: 'payments.transactions', partition: 2, offset: '12345' },
      rejectedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('keeps a 64 KiB prefix of a 900 KB value, with the size and hash of the whole', () => {
    const value = Buffer.alloc(900_000, 0x41);
    const { record, letter } = letterOf(value);
    const kept = Buffer.from(letter.originalValueBase64!, 'base64');
    expect(kept).toEqual(value.subarray(0, ORIGINAL_PREFIX_BYTES));
    expect(letter.originalTruncated).toBe(true);
    expect(letter.originalSize).toBe(900_000);
    expect(letter.originalSha256).toBe(sha(value));
    expect(Buffer.byteLength(record.value)).toBeLessThan(100_000);
  });

  it('shrinks the prefix when the limit is smaller than a 64 KiB copy', () => {
    const value = Buffer.alloc(200_000, 0x42);
    const { record, letter } = letterOf(value, { maxBytes: 20_000 });
    expect(Buffer.byteLength(record.key) + Buffer.byteLength(record.value)).toBeLessThan(20_000);
    expect(letter.originalTruncated).toBe(true);
    expect(Buffer.from(letter.originalValueBase64!, 'base64').length).toBeGreaterThan(10_000);
  });

  it('cuts an absurdly long reason', () => {
    const { letter } = letterOf(Buffer.from('x'), { reason: 'r'.repeat(1_000_000) });
    expect(letter.reason.length).toBeLessThanOrEqual(2_000);
  });

  it('leaves the original bytes out when asked (the last resort), still describing them', () => {
    const value = Buffer.from('abc');
    const { letter } = letterOf(value, { includeOriginal: false });
    expect(letter.originalValueBase64).toBeNull();
    expect(letter.originalTruncated).toBe(true);
    expect(letter.originalSha256).toBe(sha(value));
  });

  it('describes a record without a value', () => {
    const { letter } = letterOf(null);
    expect(letter).toMatchObject({ originalValueBase64: null, originalSize: 0, originalSha256: null });
  });

  it('always fits the limit, whatever the value, key and reason', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_200_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.string({ maxLength: 5_000 }),
        fc.integer({ min: 8_000, max: 2_000_000 }),
        (size, keySize, reason, maxBytes) => {
          const record = deadLetterRecord({
            topic: 'dlq',
            source: source(Buffer.alloc(size, 0xff), Buffer.alloc(keySize, 0x6b)),
            code: 'FG_EVENT_NOT_JSON',
            reason,
            attempts: 1,
            nowMs: 0,
            maxBytes,
          });
          // The framing of one record in its batch is far below the 512 bytes the builder leaves.
          expect(Buffer.byteLength(record.key) + Buffer.byteLength(record.value) + 200).toBeLessThanOrEqual(
            maxBytes,
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
