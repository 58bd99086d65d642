// Sorts a failure of a chunk into what to do about it: try again later (transient), isolate the record
// and set it aside (poison), stop touching the partition because another producer owns it (fenced),
// or open the partition again through the gate because the state fell behind the offsets (reopen).
import { isFlowGuardError, type ErrorCode } from '../errors.js';

export type FailureKind = 'transient' | 'poison' | 'fenced' | 'reopen';

export interface Failure {
  kind: FailureKind;
  /** Bounded label for metrics: an FG_* code, "kafka:<type>", "net:<code>" or "poison". */
  reason: string;
  /** The code a dead letter carries when this failure sets a record aside. */
  code: ErrorCode;
  message: string;
}

/** Another producer with our transactional id started: the partition is no longer ours. */
const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'TRANSACTION_COORDINATOR_FENCED']);
/** PRODUCER_FENCED, which kafkajs 2.2.4 does not name. */
const PRODUCER_FENCED_CODE = 90;

/** The broker refuses these records as they are; sending them again cannot succeed. */
const REFUSED_TYPES = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'POLICY_VIOLATION',
]);

/** The broker or the path to it is briefly unable; a fresh producer and a later try succeed. */
const TRANSIENT_TYPES = new Set([
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'REQUEST_TIMED_OUT',
  'BROKER_NOT_AVAILABLE',
  'REPLICA_NOT_AVAILABLE',
  'NETWORK_EXCEPTION',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'GROUP_LOAD_IN_PROGRESS',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
  'NOT_COORDINATOR_FOR_GROUP',
  'CONCURRENT_TRANSACTIONS',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'KAFKA_STORAGE_ERROR',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_ID_MAPPING',
  'INVALID_TXN_STATE',
  'UNKNOWN_PRODUCER_ID',
  'UNSTABLE_OFFSET_COMMIT',
]);

const TRANSIENT_KAFKAJS_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSLockTimeout',
  'KafkaJSStaleTopicMetadataAssignment',
]);

const TRANSIENT_NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface ErrorLink {
  name?: unknown;
  type?: unknown;
  code?: unknown;
  cause?: unknown;
  message?: unknown;
}

/** `context` prefixes the message (e.g. what was being done), which dead letters carry as their reason. */
export function classifyFailure(error: unknown, context = ''): Failure {
  const chain = causeChain(error);
  const message = `${context}${errorMessage(error)}`;
  const poison = (reason: string, code: ErrorCode = 'FG_PROCESSING_FAILED'): Failure => ({
    kind: 'poison',
    reason,
    code,
    message,
  });
  const transient = (reason: string): Failure => ({
    kind: 'transient',
    reason,
    code: 'FG_PROCESSING_FAILED',
    message,
  });

  for (const link of chain) {
    if (FENCED_TYPES.has(String(link.type)) || link.code === PRODUCER_FENCED_CODE) {
      return { kind: 'fenced', reason: `kafka:${String(link.type)}`, code: 'FG_PROCESSING_FAILED', message };
    }
  }
  const own = chain.find((link) => isFlowGuardError(link));
  if (own && isFlowGuardError(own)) {
    if (own.code === 'FG_STATE_LOST') return { kind: 'reopen', reason: own.code, code: own.code, message };
    return own.retryable ? transient(own.code) : poison(own.code, own.code);
  }
  for (const link of chain) {
    const type = typeof link.type === 'string' ? link.type : undefined;
    if (type && REFUSED_TYPES.has(type)) return poison(`kafka:${type}`);
    if (type && TRANSIENT_TYPES.has(type)) return transient(`kafka:${type}`);
    if (typeof link.name === 'string' && TRANSIENT_KAFKAJS_NAMES.has(link.name))
      return transient(`kafka:${link.name}`);
    if (typeof link.code === 'string' && TRANSIENT_NET_CODES.has(link.code))
      return transient(`net:${link.code}`);
    if (link.name === 'MaxRetriesPerRequestError') return transient('redis:unavailable');
  }
  return poison('poison');
}

/** The error and its causes, outermost first (kafkajs wraps the broker's error one or more times). */
function causeChain(error: unknown): ErrorLink[] {
  const chain: ErrorLink[] = [];
  let link: unknown = error;
  while (
    link !== null &&
    typeof link === 'object' &&
    chain.length < 8 &&
    !chain.includes(link as ErrorLink)
  ) {
    chain.push(link as ErrorLink);
    link = (link as ErrorLink).cause;
  }
  return chain;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
