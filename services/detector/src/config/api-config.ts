// The REST API: who may call it (API keys, OIDC), how much (rate, body), from where (CORS), and the
// bounds of analyst decisions and of the indexes rebuilt from Kafka.
import { z } from 'zod';
import { csv, duration, positiveInt, readableFile } from './env-values.js';

export const apiEnv = {
  /** JSON or YAML file of API keys (hashes only): a mounted Secret, never a ConfigMap. */
  API_KEYS_FILE: readableFile.optional(),
  /** How often the key file is checked for changes (revocations take effect within this). */
  API_KEYS_RELOAD_INTERVAL: duration.prefault('5s'),
  OIDC_ISSUER: z.url().optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  OIDC_JWKS_URL: z.url().optional(),
  /** The claim holding the token's scopes: a space-separated string or an array of strings. */
  OIDC_SCOPE_CLAIM: z.string().min(1).default('scope'),
  /** The claim naming the principal recorded in the audit trail. */
  OIDC_PRINCIPAL_CLAIM: z.string().min(1).default('sub'),
  OIDC_CLOCK_TOLERANCE: duration.prefault('30s'),
  /** Requests per principal (anonymous callers: per IP) per RATE_LIMIT_WINDOW. */
  RATE_LIMIT_MAX: positiveInt.default(600),
  RATE_LIMIT_WINDOW: duration.prefault('1m'),
  /** The lower budget of writes (POST/DELETE) per principal per RATE_LIMIT_WINDOW. */
  RATE_LIMIT_WRITE_MAX: positiveInt.default(60),
  BODY_LIMIT: positiveInt.max(64 * 1024 * 1024).default(1024 * 1024),
  /** Origins allowed to call the API from a browser; unset: CORS is off (same-origin console only). */
  CORS_ORIGINS: csv.optional(),
  /** The longest a false positive may silence a wallet, whatever the rules file says. */
  FLAG_MAX_SILENCE: duration.prefault('30d'),
  /** The most events one POST /v1/transactions may carry. */
  TRANSACTIONS_BATCH_MAX: positiveInt.max(10_000).default(500),
  /** How long the alert index keeps an alert (the alerts topic keeps its own retention). */
  ALERT_INDEX_RETENTION: duration.prefault('90d'),
  /** How often an index checks that Redis still holds it (a wiped Redis triggers a rebuild from Kafka). */
  INDEX_EPOCH_CHECK_INTERVAL: duration.prefault('5s'),
  /** Comment lines sent on an idle alert stream so proxies keep it open. */
  SSE_KEEPALIVE: duration.prefault('15s'),
  /** Transactional id of the API's decision producer; default "<KAFKA_TRANSACTIONAL_ID_PREFIX>.api.<host>.<pid>". */
  API_TRANSACTIONAL_ID: z.string().min(1).max(249).optional(),
};

type ApiEnv = z.output<z.ZodObject<typeof apiEnv>>;

export interface OidcConfig {
  issuer: string;
  audience: string;
  jwksUrl: string;
  scopeClaim: string;
  principalClaim: string;
  clockToleranceMs: number;
}

export interface ApiConfig {
  keysFile: string | undefined;
  keysReloadIntervalMs: number;
  oidc: OidcConfig | null;
  rateLimit: { max: number; writeMax: number; windowMs: number };
  bodyLimit: number;
  /** null: CORS off. */
  corsOrigins: string[] | null;
  flagMaxSilenceMs: number;
  transactionsBatchMax: number;
  alertIndexRetentionMs: number;
  indexEpochCheckMs: number;
  sseKeepAliveMs: number;
  transactionalId: string | undefined;
}

export function buildApiConfig(e: ApiEnv, fail: (variable: string, message: string) => never): ApiConfig {
  const oidcParts = {
    OIDC_ISSUER: e.OIDC_ISSUER,
    OIDC_AUDIENCE: e.OIDC_AUDIENCE,
    OIDC_JWKS_URL: e.OIDC_JWKS_URL,
  };
  const given = Object.entries(oidcParts).filter(([, value]) => value !== undefined);
  if (given.length > 0 && given.length < 3) {
    const missing = Object.entries(oidcParts).find(([, value]) => value === undefined)![0];
    fail(
      missing,
      `required with ${given.map(([name]) => name).join(' and ')} (OIDC needs issuer, audience and JWKS URL)`,
    );
  }
  if (e.RATE_LIMIT_WRITE_MAX > e.RATE_LIMIT_MAX)
    fail('RATE_LIMIT_WRITE_MAX', 'must not exceed RATE_LIMIT_MAX');
  if (e.RATE_LIMIT_WINDOW < 1000) fail('RATE_LIMIT_WINDOW', 'must be at least 1s');
  if (e.CORS_ORIGINS?.some((origin) => origin === '*'))
    fail('CORS_ORIGINS', 'name the allowed origins; "*" would let any page call the API with a key');
  return {
    keysFile: e.API_KEYS_FILE,
    keysReloadIntervalMs: e.API_KEYS_RELOAD_INTERVAL,
    oidc:
      given.length === 3
        ? {
            issuer: e.OIDC_ISSUER!,
            audience: e.OIDC_AUDIENCE!,
            jwksUrl: e.OIDC_JWKS_URL!,
            scopeClaim: e.OIDC_SCOPE_CLAIM,
            principalClaim: e.OIDC_PRINCIPAL_CLAIM,
            clockToleranceMs: e.OIDC_CLOCK_TOLERANCE,
          }
        : null,
    rateLimit: { max: e.RATE_LIMIT_MAX, writeMax: e.RATE_LIMIT_WRITE_MAX, windowMs: e.RATE_LIMIT_WINDOW },
    bodyLimit: e.BODY_LIMIT,
    corsOrigins: e.CORS_ORIGINS?.length ? e.CORS_ORIGINS : null,
    flagMaxSilenceMs: e.FLAG_MAX_SILENCE,
    transactionsBatchMax: e.TRANSACTIONS_BATCH_MAX,
    alertIndexRetentionMs: e.ALERT_INDEX_RETENTION,
    indexEpochCheckMs: e.INDEX_EPOCH_CHECK_INTERVAL,
    sseKeepAliveMs: e.SSE_KEEPALIVE,
    transactionalId: e.API_TRANSACTIONAL_ID,
  };
}
