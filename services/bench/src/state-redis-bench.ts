// The wallet state record on the real Redis: MEMORY USAGE of a typical and a busy record, and the
// server's cost per wallet loaded (GET) and written (compare-and-set script), from INFO commandstats
// (time inside the command) and INFO cpu (the whole server: reading, parsing, replying). Rounds
// alternate loads and writes; figures are medians over rounds with min–max. Other clients of a shared
// Redis show up in the "other calls" column and in the server CPU, never in the commandstats time.
// Usage: npx tsx services/bench/src/state-redis-bench.ts [wallets=5000] [rounds=5]
import { Redis } from 'ioredis';
import { loadConfig } from '../../detector/src/config/index.js';
import { createRedisClient } from '../../detector/src/redis/redis-connection.js';
import { decodeWalletState, encodeWalletState } from '../../detector/src/state/wallet-state-codec.js';
import { WalletStateStore } from '../../detector/src/state/wallet-state-store.js';
import type { WalletState } from '../../detector/src/state/wallet-state.js';
import { withLocalStack } from '../../../scripts/dev/local-stack-env.js';
import { revision } from './bench-report.js';
import { deleteKeys, parseInfo } from './redis-probe.js';
import { busyWallet, typicalWallet } from './state-fixtures.js';

const wallets = Number(process.argv[2] ?? 5_000);
const rounds = Number(process.argv[3] ?? 5);
const CHUNK = 1_000;
const BUSY_REPEATS = 200;
const TTL_MS = 3_600_000;

const env = withLocalStack();
if (!env.REDIS_URL) throw new Error('REDIS_URL is not set and the local stack has none (npm run stack:up)');
const features = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9', REDIS_URL: env.REDIS_URL }).features;
const prefix = `sb${Date.now().toString(36)}`;
const client = createRedisClient({ url: env.REDIS_URL, clusterNodes: undefined, keyPrefix: prefix });
if (!(client instanceof Redis)) throw new Error('this bench reads one standalone Redis server');
const redis = client;
const store = new WalletStateStore(redis, prefix, features);

interface ServerSample {
  cpuUs: number;
  calls: Record<string, { calls: number; usec: number }>;
}

async function sample(): Promise<ServerSample> {
  const info = parseInfo(await redis.info('all'));
  const calls: ServerSample['calls'] = {};
  for (const [field, value] of Object.entries(info)) {
    if (!field.startsWith('cmdstat_')) continue;
    const match = /calls=(\d+),usec=(\d+)/.exec(value);
    if (match) calls[field.slice('cmdstat_'.length)] = { calls: Number(match[1]), usec: Number(match[2]) };
  }
  return { cpuUs: (Number(info.used_cpu_sys) + Number(info.used_cpu_user)) * 1e6, calls };
}

interface Cost {
  /** µs inside the command (commandstats), per call. */
  commandUs: number;
  /** µs of server CPU (INFO cpu) per operation, anything else the server did meanwhile included. */
  serverUs: number;
  /** Calls of the command by anyone else meanwhile. */
  otherCalls: number;
}

async function measure(command: string, operations: number, run: () => Promise<void>): Promise<Cost> {
  const before = await sample();
  await run();
  const after = await sample();
  const delta = (name: string) => ({
    calls: (after.calls[name]?.calls ?? 0) - (before.calls[name]?.calls ?? 0),
    usec: (after.calls[name]?.usec ?? 0) - (before.calls[name]?.usec ?? 0),
  });
  const d = delta(command);
  return {
    commandUs: d.usec / Math.max(1, d.calls),
    serverUs: (after.cpuUs - before.cpuUs) / operations,
    otherCalls: d.calls - operations,
  };
}

/** `count` copies of a state under other wallet ids, as stored (version 0: not yet written). */
function copies(template: WalletState, label: string, count: number): WalletState[] {
  const bytes = encodeWalletState(template, 0);
  return Array.from({ length: count }, (_, i) => decodeWalletState(`${label}-${i}`, bytes, features));
}

async function writeAll(states: WalletState[]): Promise<void> {
  for (let i = 0; i < states.length; i += CHUNK) {
    const { conflicts } = await store.write(states.slice(i, i + CHUNK), () => TTL_MS);
    if (conflicts.length) throw new Error(`unexpected conflicts: ${conflicts.length}`);
  }
}

async function loadAll(ids: string[]): Promise<WalletState[]> {
  const out: WalletState[] = [];
  for (let i = 0; i < ids.length; i += CHUNK)
    out.push(...(await store.load(ids.slice(i, i + CHUNK))).values());
  return out;
}

function median(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  return `${f(sorted[Math.floor(sorted.length / 2)]!)} (${f(sorted[0]!)}–${f(sorted[sorted.length - 1]!)})`;
}

try {
  const typical = copies(typicalWallet('t', features), 'typical', wallets);
  const busy = copies(busyWallet('b', features), 'busy', 1);
  await writeAll([...typical, ...busy]);
  const ids = typical.map((s) => s.walletId);
  const results: Record<string, Cost[]> = {};
  const record = (name: string, cost: Cost) => (results[name] ??= []).push(cost);
  let states = typical;
  let busyState = busy[0]!;
  for (let r = 0; r < rounds; r++) {
    record(
      'typical load (GET)',
      await measure('get', ids.length, async () => void (states = await loadAll(ids))),
    );
    record('typical write (CAS script)', await measure('evalsha', states.length, () => writeAll(states)));
    record(
      'busy load (GET)',
      await measure('get', BUSY_REPEATS, async () => {
        for (let i = 0; i < BUSY_REPEATS; i++)
          busyState = (await store.load([busyState.walletId])).get(busyState.walletId)!;
      }),
    );
    record(
      'busy write (CAS script)',
      await measure('evalsha', BUSY_REPEATS, async () => {
        for (let i = 0; i < BUSY_REPEATS; i++) await writeAll([busyState]);
      }),
    );
  }
  const usage = async (walletId: string) =>
    Number(await redis.call('MEMORY', 'USAGE', store.walletKey(walletId), 'SAMPLES', '0'));
  console.log(
    `state redis bench: ${wallets} typical wallets + 1 busy, ${rounds} rounds, revision ${revision()}`,
  );
  console.log(
    `record bytes (value / MEMORY USAGE): typical ${encodeWalletState(states[0]!).length} / ${await usage(ids[0]!)}, ` +
      `busy ${encodeWalletState(busyState).length} / ${await usage(busyState.walletId)}`,
  );
  console.log(
    `${'per wallet, median (min–max)'.padEnd(30)} ${'µs in command'.padEnd(22)} ${'µs server CPU'.padEnd(22)} other calls`,
  );
  for (const [name, costs] of Object.entries(results)) {
    console.log(
      `${name.padEnd(30)} ${median(costs.map((c) => c.commandUs)).padEnd(22)} ${median(costs.map((c) => c.serverUs)).padEnd(22)} ` +
        `${Math.max(...costs.map((c) => c.otherCalls))}`,
    );
  }
} finally {
  await deleteKeys(redis, `${prefix}:`);
  await redis.quit();
}
