// Builds the dead-letter record of an input record that was set aside. It always fits the broker's
// record limit: the original bytes are kept whole up to 64 KiB, else as a prefix, and the size and
// SHA-256 of the whole original let an operator match it against the input topic.
import { createHash } from 'node:crypto';
import { DeadLetterSchema, type DeadLetter } from '../../../../schemas/dead-letter.js';
import type { ErrorCode } from '../errors.js';
import type { OutputRecord, SourceRecord } from './chunk-contract.js';

export const ORIGINAL_PREFIX_BYTES = 64 * 1024;
const MAX_REASON_CHARS = 2_000;
const MAX_KEY_CHARS = 1_024;
/** Record-batch header, record framing and the Kafka key, with room to spare. */
const RECORD_OVERHEAD_BYTES = 512;

export interface DeadLetterInput {
  /** The dead-letter topic. */
  topic: string;
  source: SourceRecord;
  code: ErrorCode;
  reason: string;
  attempts: number;
  nowMs: number;
  /** The broker's limit for one record batch (KAFKA_MAX_MESSAGE_BYTES). */
  maxBytes: number;
  /** False for the last resort: the dead letter without any of the original bytes. */
  includeOriginal?: boolean;
}

export function deadLetterKey(source: Pick<SourceRecord, 'topic' | 'partition' | 'offset'>): string {
  return `${source.topic}/${source.partition}/${source.offset}`;
}

export function deadLetterRecord(input: DeadLetterInput): OutputRecord {
  const { source } = input;
  const original = source.value;
  const key = deadLetterKey(source);
  const letter: DeadLetter = {
    code: input.code,
    reason: clip(input.reason, MAX_REASON_CHARS),
    source: { topic: source.topic, partition: source.partition, offset: source.offset },
    rejectedAt: new Date(input.nowMs).toISOString(),
    originalValueBase64: null,
    originalTruncated: false,
    originalSize: original?.length ?? 0,
    originalSha256: original ? createHash('sha256').update(original).digest('hex') : null,
    originalKey: source.key ? clip(source.key.toString('utf8'), MAX_KEY_CHARS) : null,
    attempts: input.attempts,
  };
  if (original) {
    const keep =
      input.includeOriginal === false ? 0 : keptBytes(letter, original.length, input.maxBytes, key);
    letter.originalValueBase64 =
      keep > 0 || original.length === 0 ? original.subarray(0, keep).toString('base64') : null;
    letter.originalTruncated = keep < original.length;
  }
  return {
    topic: input.topic,
    key,
    value: JSON.stringify(DeadLetterSchema.parse(letter)),
    sourceOffset: source.offset,
  };
}

/** How many original bytes fit: at most 64 KiB, and the whole record stays under maxBytes. */
function keptBytes(letter: DeadLetter, size: number, maxBytes: number, key: string): number {
  const withoutValue = Buffer.byteLength(JSON.stringify({ ...letter, originalValueBase64: '' }));
  const room = maxBytes - RECORD_OVERHEAD_BYTES - Buffer.byteLength(key) - withoutValue;
  const fitting = Math.max(0, Math.floor(room / 4) * 3);
  return Math.min(size, ORIGINAL_PREFIX_BYTES, fitting);
}

function clip(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}
