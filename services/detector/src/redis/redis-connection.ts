// Creates the Redis client (standalone or Cluster) and registers FlowGuard's Lua scripts on it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster, Redis, type ChainableCommander } from 'ioredis';
import type { Config } from '../config.js';

export type RedisClient = Redis | Cluster;

const SCRIPTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scripts');

/**
 * Script files are `<name>-<numberOfKeys>.lua`. They are registered under a versioned command name so
 * two releases running side by side never call each other's script body.
 */
const SCRIPT_VERSION = 'V1';
const SCRIPTS = {
  updateWallet: 'update-wallet-7.lua',
  decideAlert: 'decide-alert-4.lua',
  probeDonorFilter: 'probe-donor-filter-1.lua',
  writeWalletState: 'write-wallet-state-1.lua',
} as const;

type ScriptArg = string | number | Buffer;
export type ScriptName = keyof typeof SCRIPTS;

export function scriptCommand(name: ScriptName): string {
  return `fg${name[0]!.toUpperCase()}${name.slice(1)}${SCRIPT_VERSION}`;
}

function registerScripts(client: RedisClient): void {
  for (const [name, file] of Object.entries(SCRIPTS)) {
    const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)![1]);
    // ioredis runs these by EVALSHA and falls back to EVAL when the server's script cache was flushed.
    client.defineCommand(scriptCommand(name as ScriptName), {
      numberOfKeys,
      lua: readFileSync(join(SCRIPTS_DIR, file), 'utf8'),
    });
  }
}

export function createRedisClient(
  config: Config['redis'],
  options: { lazyConnect?: boolean } = {},
): RedisClient {
  const common = {
    lazyConnect: options.lazyConnect ?? false,
    // Commands wait (bounded) for a reconnect rather than failing at the first blip.
    maxRetriesPerRequest: 3,
    enableAutoPipelining: false,
  };
  const client: RedisClient = config.clusterNodes?.length
    ? new Cluster(
        config.clusterNodes.map((node) => {
          const [host, port] = node.split(':');
          return { host: host!, port: Number(port) };
        }),
        { redisOptions: common, scaleReads: 'master', slotsRefreshTimeout: 2000 },
      )
    : new Redis(config.url!, common);
  registerScripts(client);
  return client;
}

/** Calls a registered script on a pipeline (ioredis adds defined commands dynamically). */
export function callScript(
  pipeline: ChainableCommander,
  name: ScriptName,
  keys: string[],
  args: ScriptArg[],
): void {
  (pipeline as unknown as Record<string, (...a: ScriptArg[]) => void>)[scriptCommand(name)]!(
    ...keys,
    ...args,
  );
}
