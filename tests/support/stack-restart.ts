// Restarts the local stack's broker with scripts/stack/stack.sh, on the ports this stack runs on (read
// from .stack/env, so a worktree's stack never starts on another one's ports). Only for the fault
// suite, which runs alone: every other test would lose its broker meanwhile.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readStackEnv } from '../../scripts/dev/local-stack-env.js';

const run = promisify(execFile);

const portOf = (endpoint: string | undefined) =>
  endpoint?.split(',')[0]?.split(':').pop()?.replace(/\D/g, '');

/** True when the suite runs on the local stack (the broker and Redis this script can restart). */
export function onLocalStack(): boolean {
  const stack = readStackEnv();
  return Boolean(stack.KAFKA_BROKERS && stack.REDIS_URL) && !process.env.KAFKA_BROKERS;
}

function stackPorts(): Record<string, string> {
  const stack = readStackEnv();
  return {
    KAFKA_PORT: portOf(stack.KAFKA_BROKERS) ?? '',
    REDIS_PORT: portOf(stack.REDIS_URL) ?? '',
    REDIS_CLUSTER_PORTS: (stack.REDIS_CLUSTER_NODES ?? '')
      .split(',')
      .map((node) => portOf(node))
      .join(' '),
  };
}

/** Stops the broker (SIGTERM, or SIGKILL) and starts it again on its data; resolves once it serves. */
export async function restartStackKafka(how: 'term' | 'kill' = 'term'): Promise<void> {
  await run('bash', ['scripts/stack/stack.sh', 'kafka-restart', ...(how === 'kill' ? ['--kill'] : [])], {
    env: { ...process.env, ...stackPorts() },
    timeout: 180_000,
  });
}
