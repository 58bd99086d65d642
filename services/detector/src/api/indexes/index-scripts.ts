// The indexes' Lua scripts, registered on the Redis client under versioned names (two releases never
// run each other's script body) and called with their keys.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../../redis/redis-connection.js';

const SCRIPTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scripts');
const SCRIPT_VERSION = 'V1';
const SCRIPTS = {
  applyFlag: 'apply-flag-3.lua',
  addWatchMention: 'add-watch-mention-3.lua',
  removeWatch: 'remove-watch-3.lua',
  releaseLock: 'release-lock-1.lua',
} as const;
export type IndexScript = keyof typeof SCRIPTS;

type Runner = Record<string, (...args: (string | number)[]) => Promise<unknown>>;

function commandName(name: IndexScript): string {
  return `fgApi${name[0]!.toUpperCase()}${name.slice(1)}${SCRIPT_VERSION}`;
}

export function registerIndexScripts(redis: RedisClient): void {
  for (const [name, file] of Object.entries(SCRIPTS)) {
    redis.defineCommand(commandName(name as IndexScript), {
      numberOfKeys: Number(/-(\d+)\.lua$/.exec(file)![1]),
      lua: readFileSync(join(SCRIPTS_DIR, file), 'utf8'),
    });
  }
}

export function runIndexScript(
  redis: RedisClient,
  name: IndexScript,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  return (redis as unknown as Runner)[commandName(name)]!(...keys, ...args);
}

export function queueIndexScript(
  pipeline: ChainableCommander,
  name: IndexScript,
  keys: string[],
  args: (string | number)[],
): void {
  (pipeline as unknown as Record<string, (...a: (string | number)[]) => void>)[commandName(name)]!(
    ...keys,
    ...args,
  );
}
