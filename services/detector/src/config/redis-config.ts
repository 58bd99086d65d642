// Redis: standalone or cluster, key prefix, ACL user and TLS, and the durability check at start.
import { z } from 'zod';
import { csv, flag, readableFile, secretOf } from './env-values.js';

export const redisEnv = {
  REDIS_URL: z.url().optional(),
  REDIS_CLUSTER_NODES: csv.optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{1,32}$/i)
    .default('fg'),
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  REDIS_PASSWORD_FILE: readableFile.optional(),
  REDIS_TLS: flag.default(false),
  REDIS_TLS_CA_FILE: readableFile.optional(),
  REDIS_TLS_CERT_FILE: readableFile.optional(),
  REDIS_TLS_KEY_FILE: readableFile.optional(),
  /**
   * Start even when Redis would lose state (appendonly off, or an evicting maxmemory-policy). For
   * throw-away environments only; the detector logs the risk at every start.
   */
  REDIS_ACCEPT_NON_DURABLE: flag.default(false),
};

type RedisEnv = z.output<z.ZodObject<typeof redisEnv>>;

export interface RedisConfig {
  url: string | undefined;
  clusterNodes: string[] | undefined;
  keyPrefix: string;
  username: string | undefined;
  password: string | undefined;
  tls: { ca: string | undefined; cert: string | undefined; key: string | undefined } | null;
  acceptNonDurable: boolean;
}

export function buildRedisConfig(
  e: RedisEnv,
  fail: (variable: string, message: string) => never,
): RedisConfig {
  if (!e.REDIS_URL && !e.REDIS_CLUSTER_NODES?.length) {
    fail('REDIS_URL', 'not set (nor REDIS_CLUSTER_NODES); for the local stack run `npm run stack:up`');
  }
  return {
    url: e.REDIS_URL,
    clusterNodes: e.REDIS_CLUSTER_NODES?.length ? e.REDIS_CLUSTER_NODES : undefined,
    keyPrefix: e.REDIS_KEY_PREFIX,
    username: e.REDIS_USERNAME,
    password: secretOf(e.REDIS_PASSWORD, e.REDIS_PASSWORD_FILE),
    tls: e.REDIS_TLS
      ? { ca: e.REDIS_TLS_CA_FILE, cert: e.REDIS_TLS_CERT_FILE, key: e.REDIS_TLS_KEY_FILE }
      : null,
    acceptNonDurable: e.REDIS_ACCEPT_NON_DURABLE,
  };
}
