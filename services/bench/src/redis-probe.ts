// What the bench reads from the Redis server: command counters, memory, the server process's CPU time,
// per-wallet key sizes, and the cleanup of a run's keys.
import { readFileSync } from 'node:fs';
import { processCpuSeconds } from './machine-cpu.js';
import type { Redis } from 'ioredis';

export interface RedisCounters {
  totalCommands: number;
  /** Calls per command name (commands run inside scripts are counted under their own name). */
  commandCalls: Record<string, number>;
  usedMemory: number;
  /** CPU seconds of the redis-server process, or null when it is not on this machine. */
  cpuSeconds: number | null;
}

export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

/** The server's pid when it runs on this machine as a redis-server we can read in /proc. */
export async function localRedisPid(redis: Redis): Promise<number | null> {
  const host = redis.options.host ?? '';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) return null;
  const pid = Number(parseInfo(await redis.info('server')).process_id);
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('redis-server') ? pid : null;
  } catch {
    return null;
  }
}

export async function readCounters(redis: Redis, pid: number | null): Promise<RedisCounters> {
  const info = parseInfo(await redis.info('all'));
  const commandCalls: Record<string, number> = {};
  for (const [field, value] of Object.entries(info)) {
    if (!field.startsWith('cmdstat_')) continue;
    commandCalls[field.slice('cmdstat_'.length)] = Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
  }
  return {
    totalCommands: Number(info.total_commands_processed),
    commandCalls,
    usedMemory: Number(info.used_memory),
    cpuSeconds: pid === null ? null : processCpuSeconds(pid),
  };
}

export interface CounterDelta {
  /** Commands the server processed meanwhile; null when its statistics were reset (CONFIG RESETSTAT). */
  commands: number | null;
  /** Calls per command name meanwhile, script-internal calls included; empty after a reset. */
  calls: Record<string, number>;
  usedMemory: number;
  cpuSeconds: number | null;
}

export function counterDelta(before: RedisCounters, after: RedisCounters): CounterDelta {
  const reset = after.totalCommands < before.totalCommands;
  const calls = Object.entries(after.commandCalls)
    .map(([name, count]) => [name, count - (before.commandCalls[name] ?? 0)] as const)
    .filter(([, count]) => count > 0)
    .sort((a, b) => b[1] - a[1]);
  return {
    commands: reset ? null : after.totalCommands - before.totalCommands,
    calls: reset ? {} : Object.fromEntries(calls),
    usedMemory: after.usedMemory - before.usedMemory,
    cpuSeconds:
      after.cpuSeconds === null || before.cpuSeconds === null ? null : after.cpuSeconds - before.cpuSeconds,
  };
}

export interface WalletBytes {
  typical: number;
  busiest: number;
  busiestWalletId: string;
  sampled: number;
}

/** The keys one wallet occupies, by how a revision lays its state out in Redis. */
export type WalletKeyLayout = (prefix: string, walletId: string) => string[];

/** Pipeline v2: one compact record per wallet. */
export const recordPerWallet: WalletKeyLayout = (prefix, walletId) => [`${prefix}:{w:${walletId}}`];

/** Before pipeline v2 (d89568a, features/wallet-keys.ts): nine keys per wallet under one hash tag. */
export const keysPerWalletV1: WalletKeyLayout = (prefix, walletId) => {
  const base = `${prefix}:{w:${walletId}}`;
  return ['meta', 'buckets', 'payers', 'payees', 'seen', 'payer-hll', 'alerts', 'alert-log', 'outbox'].map(
    (part) => `${base}:${part}`,
  );
};

/**
 * The layout a detector wrote, read off Redis rather than assumed from the revision (BEFORE may be any
 * revision): a record per wallet when any sampled wallet has one, else the keys of the pipeline before.
 */
export async function layoutInUse(
  redis: Redis,
  prefix: string,
  walletIds: string[],
): Promise<WalletKeyLayout> {
  const records = walletIds.flatMap((id) => recordPerWallet(prefix, id));
  return (await redis.exists(...records)) > 0 ? recordPerWallet : keysPerWalletV1;
}

/** Sums MEMORY USAGE over each sampled wallet's keys; the median and the largest wallet of the sample. */
export async function walletBytes(
  redis: Redis,
  prefix: string,
  walletIds: string[],
  layout: WalletKeyLayout,
): Promise<WalletBytes> {
  const pipeline = redis.pipeline();
  for (const id of walletIds)
    for (const key of layout(prefix, id)) pipeline.memory('USAGE', key, 'SAMPLES', 0);
  const replies = (await pipeline.exec()) ?? [];
  const perKey = layout(prefix, 'x').length;
  const sizes = walletIds.map((id, w) => {
    let bytes = 0;
    for (let k = 0; k < perKey; k++) bytes += Number(replies[w * perKey + k]?.[1] ?? 0);
    return { id, bytes };
  });
  const present = sizes.filter((s) => s.bytes > 0).sort((a, b) => a.bytes - b.bytes);
  if (!present.length) throw new Error(`no keys found for the sampled wallets under ${prefix}`);
  const busiest = present[present.length - 1]!;
  return {
    typical: present[Math.floor(present.length / 2)]!.bytes,
    busiest: busiest.bytes,
    busiestWalletId: busiest.id,
    sampled: present.length,
  };
}

/** Removes every key whose name starts with `prefix` (SCAN + UNLINK, never KEYS). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
