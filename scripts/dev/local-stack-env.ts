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

/**
 * The environment with the local stack's endpoints filled in where it leaves them unset. The stack also
 * names a Redis Cluster for the cluster tests: it is used only when the environment asks for it.
 */
export function withLocalStack(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { REDIS_CLUSTER_NODES: _cluster, ...stack } = readStackEnv();
  return { ...stack, ...env };
}
