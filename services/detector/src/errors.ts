// FlowGuard's errors: a stable code for machines, a message for people, the cause kept.

export const ERROR_CODES = {
  FG_CONFIG_INVALID: 'configuration could not be parsed',
  FG_RULES_INVALID: 'the rules file could not be parsed',
  FG_EVENT_NOT_JSON: 'the message value is not JSON',
  FG_EVENT_INVALID: 'the event breaks the transaction contract',
  FG_EVENT_EMPTY: 'the message has no value',
  FG_UNKNOWN_CURRENCY: 'the currency has no configured rate to the base currency',
  FG_AMOUNT_PRECISION: "the amount has more decimals than the currency's minor unit",
  FG_REDIS_SCRIPT: 'a Redis script failed',
  FG_REDIS_UNAVAILABLE: 'Redis is unreachable or failing over; retry',
  FG_KAFKA_UNAVAILABLE: 'Kafka is unreachable; retry',
  FG_STATE_CORRUPT: 'a stored wallet state record is corrupt or of an unknown format',
  FG_STATE_INVALID: 'a wallet state holds a value its record cannot carry (a bug, not bad input)',
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
