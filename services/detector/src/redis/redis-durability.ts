// The start-up check that Redis keeps what FlowGuard writes: the append-only file on (fsynced at least
// every second) and no eviction, on every master. Refuses to start otherwise, unless told to accept it.
import { Cluster, type Redis } from 'ioredis';
import type { Logger } from 'pino';
import { FlowGuardError } from '../errors.js';
import { connectRedis, describeRedis, redisUserOf, type RedisClient } from './redis-connection.js';

export interface NodeDurability {
  node: string;
  appendonly: string;
  appendfsync: string;
  maxmemoryPolicy: string;
}

export interface DurabilityReport {
  nodes: NodeDurability[];
  /** One line per setting that would lose state, naming node, setting, value and the fix. */
  problems: string[];
}

/** Why each setting matters, said where the check refuses. */
interface Requirement {
  setting: keyof Omit<NodeDurability, 'node'>;
  name: string;
  ok: (value: string) => boolean;
  fix: string;
  risk: string;
}

const REQUIREMENTS: Requirement[] = [
  {
    setting: 'appendonly',
    name: 'appendonly',
    ok: (v) => v === 'yes',
    fix: 'appendonly yes',
    risk: 'a restart loses every window, alert decision, flag and the donor index',
  },
  {
    setting: 'appendfsync',
    name: 'appendfsync',
    ok: (v) => v === 'everysec' || v === 'always',
    fix: 'appendfsync everysec',
    risk: 'a crash loses the writes the OS had not flushed yet (up to ~30 s)',
  },
  {
    setting: 'maxmemoryPolicy',
    name: 'maxmemory-policy',
    ok: (v) => v === 'noeviction',
    fix: 'maxmemory-policy noeviction',
    // Every FlowGuard key carries a TTL, so even volatile-* policies may pick live state.
    risk: 'under memory pressure Redis deletes live wallet state (every FlowGuard key has a TTL, so volatile-* policies evict it too)',
  },
];

function mastersOf(client: RedisClient): { node: string; redis: Redis }[] {
  if (client instanceof Cluster) {
    return client
      .nodes('master')
      .map((redis) => ({ node: `${redis.options.host}:${redis.options.port}`, redis }));
  }
  return [{ node: describeRedis(client), redis: client }];
}

async function configValue(client: RedisClient, redis: Redis, node: string, name: string): Promise<string> {
  let reply: unknown;
  try {
    reply = await redis.config('GET', name);
  } catch (error) {
    const message = (error as Error).message;
    const why = /^NOPERM/.test(message)
      ? `user '${redisUserOf(client)}' may not run CONFIG GET (${message}); allow it with \`ACL SETUSER ${redisUserOf(client)} +config|get\``
      : `CONFIG GET failed (${message}); managed services often disable CONFIG`;
    throw new FlowGuardError(
      'FG_REDIS_DURABILITY_UNKNOWN',
      `Cannot check that Redis at ${node} keeps FlowGuard's state: ${why}. If you verified appendonly yes and maxmemory-policy noeviction yourself, start with REDIS_ACCEPT_NON_DURABLE=true.`,
      { cause: error },
    );
  }
  const pair = reply as string[];
  return pair[1] ?? '';
}

/** Reads the persistence settings of every master; does not judge them. */
export async function readRedisDurability(client: RedisClient): Promise<DurabilityReport> {
  await connectRedis(client);
  const nodes = await Promise.all(
    mastersOf(client).map(async ({ node, redis }) => {
      const [appendonly, appendfsync, maxmemoryPolicy] = await Promise.all(
        ['appendonly', 'appendfsync', 'maxmemory-policy'].map((name) =>
          configValue(client, redis, node, name),
        ),
      );
      return { node, appendonly: appendonly!, appendfsync: appendfsync!, maxmemoryPolicy: maxmemoryPolicy! };
    }),
  );
  const problems = nodes.flatMap((n) =>
    REQUIREMENTS.filter((r) => !r.ok(n[r.setting])).map(
      (r) => `${n.node}: ${r.name} is '${n[r.setting]}', needs ${r.fix} — ${r.risk}`,
    ),
  );
  return { nodes, problems };
}

/**
 * Refuses (FG_REDIS_NOT_DURABLE) when a master would lose state, naming each setting and its fix;
 * with `acceptNonDurable` it logs the risk and goes on. A user without CONFIG GET cannot be checked:
 * FG_REDIS_DURABILITY_UNKNOWN, or a warning when accepted.
 */
export async function checkRedisDurability(
  client: RedisClient,
  options: { acceptNonDurable: boolean; logger: Pick<Logger, 'warn'> },
): Promise<DurabilityReport> {
  let report: DurabilityReport;
  try {
    report = await readRedisDurability(client);
  } catch (error) {
    if (
      !options.acceptNonDurable ||
      !(error instanceof FlowGuardError) ||
      error.code !== 'FG_REDIS_DURABILITY_UNKNOWN'
    ) {
      throw error;
    }
    options.logger.warn(
      { err: error },
      'Redis durability cannot be checked, so a restart or memory pressure may lose FlowGuard state; starting anyway because REDIS_ACCEPT_NON_DURABLE=true',
    );
    return { nodes: [], problems: [error.message] };
  }
  if (report.problems.length === 0) return report;
  if (!options.acceptNonDurable) {
    throw new FlowGuardError(
      'FG_REDIS_NOT_DURABLE',
      `Redis would lose FlowGuard's state: ${report.problems.join('; ')}. Set these in redis.conf (or CONFIG SET and CONFIG REWRITE), or start with REDIS_ACCEPT_NON_DURABLE=true to accept the loss.`,
    );
  }
  options.logger.warn(
    { problems: report.problems },
    'Redis is not durable: a restart or memory pressure loses FlowGuard state (windows, alerts, flags); starting anyway because REDIS_ACCEPT_NON_DURABLE=true',
  );
  return report;
}
