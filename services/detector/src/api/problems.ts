// The API's errors as RFC 9457 problem details: one code → one type URI, title and status. A 4xx
// says why; a 5xx says only what happened, never how (the log has the cause).
import { STATUS_CODES } from 'node:http';
import { PROBLEM_TYPE_BASE, type Problem } from '../../../../schemas/problem.js';
import { FlowGuardError, isFlowGuardError, type ErrorCode } from '../errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const PROBLEMS = {
  FG_BAD_REQUEST: { status: 400, title: 'Bad Request' },
  FG_UNKNOWN_RULE: { status: 400, title: 'Unknown rule' },
  FG_UNAUTHENTICATED: { status: 401, title: 'Unauthenticated' },
  FG_FORBIDDEN: { status: 403, title: 'Forbidden' },
  FG_SELF_APPROVAL: { status: 403, title: 'Second principal required' },
  FG_NOT_FOUND: { status: 404, title: 'Not Found' },
  FG_FLAG_STATE: { status: 409, title: 'Flag state does not allow this' },
  FG_CONFLICT: { status: 409, title: 'Conflict' },
  FG_BODY_TOO_LARGE: { status: 413, title: 'Payload Too Large' },
  FG_UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported Media Type' },
  FG_RATE_LIMITED: { status: 429, title: 'Too Many Requests' },
  FG_INTERNAL: { status: 500, title: 'Internal Server Error' },
  FG_KAFKA_UNAVAILABLE: { status: 503, title: 'Kafka unavailable' },
  FG_REDIS_UNAVAILABLE: { status: 503, title: 'Redis unavailable' },
  FG_AUTH_UNAVAILABLE: { status: 503, title: 'Identity provider unavailable' },
} as const satisfies Partial<Record<ErrorCode, { status: number; title: string }>>;

export type ProblemCode = keyof typeof PROBLEMS;

export interface ProblemFieldError {
  path: string;
  message: string;
}

/** An error the API answers as a problem: thrown by routes and hooks, rendered by the error handler. */
export class ApiProblem extends FlowGuardError {
  declare readonly code: ProblemCode;
  readonly status: number;
  readonly errors: ProblemFieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    code: ProblemCode,
    detail: string,
    options: { cause?: unknown; errors?: ProblemFieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(code, detail, { cause: options.cause });
    this.name = 'ApiProblem';
    this.status = PROBLEMS[code].status;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export function problemType(code: string): string {
  return PROBLEM_TYPE_BASE + code.replace(/^FG_/, '').toLowerCase().replaceAll('_', '-');
}

export function problemOf(
  code: ProblemCode,
  detail: string,
  instance: string,
  errors?: ProblemFieldError[],
  status: number = PROBLEMS[code].status,
): Problem {
  const title = status === PROBLEMS[code].status ? PROBLEMS[code].title : (STATUS_CODES[status] ?? 'Error');
  return { type: problemType(code), title, status, detail, instance, code, ...(errors ? { errors } : {}) };
}

interface FastifyLikeError extends Error {
  code?: string;
  statusCode?: number;
  validation?: { instancePath: string; message?: string }[];
  validationContext?: string;
}

const FASTIFY_CODES: Record<string, ProblemCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'FG_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'FG_UNSUPPORTED_MEDIA_TYPE',
};

/** Any error → the problem to answer, the headers to add, and whether it is a server fault to log. */
export function describeError(
  error: unknown,
  instance: string,
): { problem: Problem; headers: Record<string, string>; serverFault: boolean } {
  if (error instanceof ApiProblem) {
    const serverFault = error.status >= 500;
    return {
      problem: problemOf(error.code, error.message, instance, error.errors),
      headers: error.headers,
      serverFault,
    };
  }
  const e = error as FastifyLikeError;
  if (Array.isArray(e.validation)) {
    const part = e.validationContext ?? 'request';
    const errors = e.validation.map((issue) => ({
      path: `${part}${issue.instancePath.replaceAll('/', '.').replace(/\.$/, '')}`,
      message: issue.message ?? 'is not valid',
    }));
    const detail = errors.map((item) => `${item.path}: ${item.message}`).join('; ');
    return {
      problem: problemOf('FG_BAD_REQUEST', detail, instance, errors),
      headers: {},
      serverFault: false,
    };
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500 && !isFlowGuardError(error)) {
    const code =
      (e.code ? FASTIFY_CODES[e.code] : undefined) ?? (status === 404 ? 'FG_NOT_FOUND' : 'FG_BAD_REQUEST');
    return {
      problem: problemOf(code, e.message, instance, undefined, status),
      headers: {},
      serverFault: false,
    };
  }
  return {
    problem: problemOf('FG_INTERNAL', 'Internal Server Error', instance),
    headers: {},
    serverFault: true,
  };
}
