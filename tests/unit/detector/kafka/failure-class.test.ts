// Which failures are retried, which isolate a record, and which mean the partition is someone else's.
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { FlowGuardError } from '../../../../services/detector/src/errors.js';
import { classifyFailure } from '../../../../services/detector/src/kafka/failure-class.js';

const protocol = (type: string, code: number, retriable = false) =>
  new KafkaJSProtocolError({ type, code, retriable, message: `broker says ${type}` } as unknown as Error);
/** How kafkajs hands a broker's refusal to the caller: wrapped by its retrier, the cause kept. */
const wrapped = (cause: Error) => {
  const error = new KafkaJSNonRetriableError(cause);
  return Object.assign(error, { cause });
};

describe('classifyFailure', () => {
  it('retries what a FlowGuardError marks retryable and isolates what it does not', () => {
    expect(
      classifyFailure(new FlowGuardError('FG_REDIS_UNAVAILABLE', 'away', { retryable: true })),
    ).toMatchObject({
      kind: 'transient',
      reason: 'FG_REDIS_UNAVAILABLE',
    });
    expect(classifyFailure(new FlowGuardError('FG_REDIS_SCRIPT', 'bad script'))).toMatchObject({
      kind: 'poison',
      code: 'FG_REDIS_SCRIPT',
      message: 'bad script',
    });
  });

  it('isolates a plain exception as FG_PROCESSING_FAILED', () => {
    expect(classifyFailure(new TypeError('x is undefined'))).toMatchObject({
      kind: 'poison',
      reason: 'poison',
      code: 'FG_PROCESSING_FAILED',
    });
  });

  it('isolates records the broker refuses, however deeply kafkajs wrapped the refusal', () => {
    for (const type of ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE']) {
      expect(classifyFailure(wrapped(wrapped(protocol(type, 10))))).toMatchObject({
        kind: 'poison',
        reason: `kafka:${type}`,
      });
    }
  });

  it('retries an unreachable broker, timeouts and a missing leader', () => {
    expect(classifyFailure(new KafkaJSConnectionError('Connection error: ECONNREFUSED')).kind).toBe(
      'transient',
    );
    expect(classifyFailure(new KafkaJSRequestTimeoutError('Request Produce timed out')).kind).toBe(
      'transient',
    );
    const exhausted = new KafkaJSNumberOfRetriesExceeded(protocol('LEADER_NOT_AVAILABLE', 5, true), {
      retryCount: 5,
      retryTime: 1000,
    });
    expect(classifyFailure(exhausted)).toMatchObject({
      kind: 'transient',
      reason: 'kafka:LEADER_NOT_AVAILABLE',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
    expect(classifyFailure(refused)).toMatchObject({ kind: 'transient', reason: 'net:ECONNREFUSED' });
  });

  it('recognises a fenced producer, also under a FlowGuardError', () => {
    expect(classifyFailure(wrapped(protocol('INVALID_PRODUCER_EPOCH', 47))).kind).toBe('fenced');
    const fenced = new FlowGuardError('FG_KAFKA_UNAVAILABLE', 'publish failed', {
      retryable: true,
      cause: wrapped(protocol('KAFKAJS_UNKNOWN_ERROR_CODE', 90)),
    });
    expect(classifyFailure(fenced).kind).toBe('fenced');
  });
});
