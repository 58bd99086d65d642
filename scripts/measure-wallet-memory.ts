// Measures Redis MEMORY USAGE of a typical and a busy wallet's keys on the real feature store.
// Usage: npx tsx scripts/measure-wallet-memory.ts [busyEvents=1000000]
import { loadConfig, readStackEnv } from '../services/detector/src/config.js';
import { FeatureStore } from '../services/detector/src/features/feature-store.js';
import { walletKeys } from '../services/detector/src/features/wallet-keys.js';
import { decodeEvent } from '../services/detector/src/ingest/decode-event.js';
import { walletUpdatesOf } from '../services/detector/src/ingest/normalized-event.js';
import { CurrencyConverter } from '../services/detector/src/money.js';
import { createRedisClient } from '../services/detector/src/redis/redis-connection.js';

const busyEvents = Number(process.argv[2] ?? 1_000_000);
const prefix = `mem${Date.now().toString(36)}`;
const config = loadConfig({ ...process.env, REDIS_KEY_PREFIX: prefix }, readStackEnv());
const redis = createRedisClient(config.redis);
const store = new FeatureStore(redis, config.features, prefix);
const converter = new CurrencyConverter(config.features.baseCurrency, config.features.fxRates);
const DAY = 86_400_000;
const start = Date.now() - DAY;

async function feed(walletId: string, count: number, spanMs: number, payers: number) {
  const chunk = 2000;
  for (let i = 0; i < count; i += chunk) {
    const updates = [];
    for (let j = i; j < Math.min(count, i + chunk); j++) {
      const raw = {
        eventId: `${walletId}-${j}`,
        occurredAt: new Date(start + Math.floor((j * spanMs) / count)).toISOString(),
        type: 'deposit',
        amount: `${100 + (j % 900)}.00`,
        currency: 'RUB',
        fromRef: `payer-${j % payers}`,
        toWalletId: walletId,
      };
      const decoded = decodeEvent(Buffer.from(JSON.stringify(raw)), converter);
      if (decoded.ok) updates.push(...walletUpdatesOf(decoded.event));
    }
    await store.apply(updates, new Map());
  }
}

async function usage(walletId: string) {
  const k = walletKeys(prefix, walletId);
  const out: Record<string, number> = {};
  let total = 0;
  for (const [name, key] of Object.entries(k)) {
    const bytes = Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
    if (bytes) out[name] = bytes;
    total += bytes;
  }
  return { total, ...out };
}

await feed('typical', 12, 7 * DAY > DAY ? DAY : DAY, 6);
await feed('busy-1k', 1000, DAY, 800);
const t0 = Date.now();
await feed('busy', busyEvents, DAY, 50_000);
const seconds = (Date.now() - t0) / 1000;
const result = {
  typical: await usage('typical'),
  busy1k: await usage('busy-1k'),
  busy: await usage('busy'),
  busyEvents,
  updatesPerSecond: Math.round(busyEvents / seconds),
};
console.log(JSON.stringify(result, null, 2));
for (const w of ['typical', 'busy-1k', 'busy']) await redis.unlink(...Object.values(walletKeys(prefix, w)));
await redis.quit();
