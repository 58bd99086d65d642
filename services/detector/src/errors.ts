// FlowGuard's errors: a stable code for machines, a message for people, the cause kept.

export const ERROR_CODES = {
  FG_CONFIG_INVALID: 'configuration could not be parsed',
  FG_RULES_INVALID: 'the rules file could not be parsed',
  FG_EVENT_NOT_JSON: 'the message value is not JSON',
  FG_EVENT_INVALID: 'the event breaks the transaction contract',
  FG_EVENT_EMPTY: 'the message has no value',
  FG_UNKNOWN_CURRENCY: 'the currency has no configured rate to the base currency',
  FG_AMOUNT_PRECISION: "the amount has more decimals than the currency's minor unit",
  FG_AMOUNT_OUT_OF_RANGE: 'the amount is above what one payment can believably be',
  FG_EVENT_TOO_LARGE: 'the message is larger than MAX_EVENT_BYTES',
  FG_EVENT_TOO_DEEP: 'the JSON nests deeper than MAX_JSON_DEPTH',
  FG_EVENT_TIME_SKEW: "occurredAt is ahead of the Kafka record's timestamp by more than EVENT_TIME_SKEW",
  FG_EVENT_TOO_OLD: 'occurredAt is older than the history the features keep',
  FG_EVENT_ID_CONFLICT: 'an eventId already seen arrived with a different body',
  FG_PROCESSING_FAILED: 'the record failed alone, again and again, for a reason other than an outage',
  FG_REDIS_SCRIPT: 'a Redis script failed',
  FG_REDIS_UNAVAILABLE: 'Redis is unreachable or failing over; retry',
  FG_REDIS_AUTH_FAILED: 'Redis refused the credentials (REDIS_USERNAME, REDIS_PASSWORD) or their permissions',
  FG_REDIS_NOT_DURABLE:
    'Redis would lose state on a restart or under memory pressure (appendonly, maxmemory-policy)',
  FG_REDIS_DURABILITY_UNKNOWN: 'Redis does not let FlowGuard read its persistence settings (CONFIG GET)',
  FG_KAFKA_UNAVAILABLE: 'Kafka is unreachable; retry',
  FG_KAFKA_AUTH_FAILED: 'the broker refused the SASL credentials (KAFKA_SASL_*)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class FlowGuardError extends Error {
  readonly code: ErrorCode;
  /** True when trying the same thing again later can succeed (a broker or Redis node was away). */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlowGuardError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

export function isFlowGuardError(error: unknown, code?: ErrorCode): error is FlowGuardError {
  return error instanceof FlowGuardError && (code === undefined || error.code === code);
}
