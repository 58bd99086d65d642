// For tools and tests on a developer machine: the endpoints `npm run stack:up` wrote to .stack/env.
// The detector's configuration never reads this file; tools pass its values in as environment.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const STACK_ENV_FILE = join(REPO_ROOT, '.stack', 'env');

/** KEY=value lines of .stack/env (empty when the stack was never started). */
export function readStackEnv(file = STACK_ENV_FILE): Record<string, string> {
  if (!existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}

const KAFKA_SASL_KEYS = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;
const REDIS_USER_KEYS = ['REDIS_USERNAME', 'REDIS_PASSWORD'] as const;

/**
 * The environment with the local stack filled in where it leaves the endpoints unset, the way a
 * deployment would connect: Kafka through the SASL listener with the stack's SCRAM user, Redis as the
 * stack's ACL user. Credentials come only with the endpoint they belong to: an environment that names
 * its own brokers or Redis gets none of the stack's. The stack also names a Redis Cluster for the
 * cluster tests: it is used only when the environment asks for it.
 */
export function withLocalStack(
  env: NodeJS.ProcessEnv = process.env,
  stack: Record<string, string> = readStackEnv(),
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  if (!env.KAFKA_BROKERS && stack.KAFKA_BROKERS) {
    if (stack.KAFKA_SASL_BROKERS) {
      out.KAFKA_BROKERS = stack.KAFKA_SASL_BROKERS;
      for (const key of KAFKA_SASL_KEYS) if (stack[key] && !env[key]) out[key] = stack[key];
    } else {
      out.KAFKA_BROKERS = stack.KAFKA_BROKERS;
    }
  }
  if (!env.REDIS_URL && !env.REDIS_CLUSTER_NODES && stack.REDIS_URL) {
    out.REDIS_URL = stack.REDIS_URL;
    for (const key of REDIS_USER_KEYS) if (stack[key] && !env[key]) out[key] = stack[key];
  }
  return out;
}
