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
  FG_EVENT_TOO_OLD: 'occurredAt is before WALLET_CREATED_FLOOR: not a payment time',
  FG_EVENT_ID_CONFLICT: 'an eventId already seen arrived with a different body',
  FG_PROCESSING_FAILED: 'the record failed alone, again and again, for a reason other than an outage',
  FG_ALERT_INVALID: 'an alert the detector built breaks the alert contract (a bug)',
  FG_REDIS_SCRIPT: 'a Redis script failed',
  FG_BACKFILL_REFUSED: 'a backfill cannot start (live detectors in the group, or a refused history stream)',
  FG_STATE_CONFLICT: 'wallet records kept changing under a chunk (other partitions writing them); retry',
  FG_REDIS_UNAVAILABLE: 'Redis is unreachable or failing over; retry',
  FG_REDIS_AUTH_FAILED: 'Redis refused the credentials (REDIS_USERNAME, REDIS_PASSWORD) or their permissions',
  FG_REDIS_NOT_DURABLE:
    'Redis would lose state on a restart or under memory pressure (appendonly, maxmemory-policy)',
  FG_REDIS_DURABILITY_UNKNOWN: 'Redis does not let FlowGuard read its persistence settings (CONFIG GET)',
  FG_KAFKA_UNAVAILABLE: 'Kafka is unreachable; retry',
  FG_KAFKA_AUTH_FAILED: 'the broker refused the SASL credentials (KAFKA_SASL_*)',
  // The REST API's problems (RFC 9457 type https://flowguard.dev/problems/<code>).
  FG_BAD_REQUEST: 'the request breaks the API contract',
  FG_UNAUTHENTICATED: 'no valid credential',
  FG_FORBIDDEN: 'the credential lacks the scope the route needs',
  FG_AUTH_UNAVAILABLE: 'the identity provider could not be reached to verify a token',
  FG_NOT_FOUND: 'no such resource',
  FG_RATE_LIMITED: "the principal's request budget is spent",
  FG_BODY_TOO_LARGE: 'the request body is larger than BODY_LIMIT',
  FG_UNSUPPORTED_MEDIA_TYPE: 'the request body is not JSON',
  FG_UNKNOWN_RULE: 'the rule is not in the current catalog',
  FG_SELF_APPROVAL: 'a request cannot be approved or rejected by the principal who made it',
  FG_FLAG_STATE: 'the flag is not in a state that allows this action',
  FG_CONFLICT: 'another action on the same resource is in progress',
  FG_INTERNAL: 'an unexpected failure',
  FG_STATE_CORRUPT: 'a stored wallet state record is corrupt or of an unknown format',
  FG_STATE_INVALID: 'a wallet state holds a value its record cannot carry (a bug, not bad input)',
  FG_STATE_LOST:
    'Redis lost writes it had acknowledged (a failover to a lagging replica, a restart without the last second): the partition is opened again and replays them',
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
