// Measures Redis MEMORY USAGE of a typical and a busy wallet's state record on the real Redis.
// Usage: npx tsx scripts/measure-wallet-memory.ts [busyEvents=200000]
import { loadConfig } from '../services/detector/src/config/index.js';
import type { WalletSide } from '../services/detector/src/domain/transaction.js';
import { createRedisClient } from '../services/detector/src/redis/redis-connection.js';
import { applySide } from '../services/detector/src/state/apply-side.js';
import { WalletStateStore } from '../services/detector/src/state/wallet-state-store.js';
import { withLocalStackPlaintext } from './dev/local-stack-env.js';

const busyEvents = Number(process.argv[2] ?? 200_000);
const prefix = `mem${Date.now().toString(36)}`;
const config = loadConfig({ ...withLocalStackPlaintext(), REDIS_KEY_PREFIX: prefix });
const redis = createRedisClient(config.redis);
const store = new WalletStateStore(redis, prefix, config.features);
const DAY = 86_400_000;
const start = Date.now() - DAY;

function side(walletId: string, j: number, count: number, spanMs: number, payers: number): WalletSide {
  const at = start + Math.floor((j * spanMs) / count);
  const event = {
    eventId: `${walletId}-${j}`,
    idHash: j * 7919 + walletId.length,
    bodyHash: j,
    type: 'deposit' as const,
    occurredAtMs: at,
    amount: 10_000 + (j % 900) * 100,
    from: `ref:payer-${j % payers}`,
    fromWalletId: undefined,
    to: walletId,
    toWalletId: walletId,
    fromOpenedAtMs: undefined,
    toOpenedAtMs: undefined,
    channel: 'card',
    source: { topic: 'mem', partition: 0, offset: j, timestampMs: at, streamKey: 'mem/0' },
  };
  return { walletId, direction: 'in', counterparty: event.from, openedAtMs: undefined, event };
}

async function feed(walletId: string, count: number, spanMs: number, payers: number) {
  const state = (await store.load([walletId])).get(walletId)!;
  for (let j = 0; j < count; j++) applySide(state, side(walletId, j, count, spanMs, payers), config.features);
  await store.write([state], () => DAY);
}

async function usage(walletId: string): Promise<number> {
  return Number((await redis.call('MEMORY', 'USAGE', store.walletKey(walletId), 'SAMPLES', '0')) ?? 0);
}

await feed('typical', 12, DAY, 6);
await feed('busy-1k', 1000, DAY, 800);
const t0 = Date.now();
await feed('busy', busyEvents, DAY, 50_000);
const seconds = (Date.now() - t0) / 1000;
console.log(
  JSON.stringify(
    {
      typical: await usage('typical'),
      busy1k: await usage('busy-1k'),
      busy: await usage('busy'),
      busyEvents,
      appliedPerSecond: Math.round(busyEvents / seconds),
    },
    null,
    2,
  ),
);
await redis.unlink(...['typical', 'busy-1k', 'busy'].map((w) => store.walletKey(w)));
await redis.quit();
