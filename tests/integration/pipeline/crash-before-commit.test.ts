// A crash after a chunk's Redis write and before its Kafka commit: the chunk comes again and must
// publish the same alerts, including one the retro search raised on a wallet of ANOTHER partition (a
// replacement found when its campaign was flagged), or that alert is lost: the next commit covers its
// source offset and the pending copy is dropped as published.
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertSchema } from '../../../schemas/alert.js';
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import { loadConfig } from '../../../services/detector/src/config/index.js';
import { CurrencyConverter } from '../../../services/detector/src/domain/money.js';
import type { OutputRecord, SourceRecord } from '../../../services/detector/src/kafka/chunk-contract.js';
import { createMetrics } from '../../../services/detector/src/metrics.js';
import { createChunkHandler } from '../../../services/detector/src/pipeline/chunk-handler.js';
import { StreamRegistry } from '../../../services/detector/src/pipeline/stream-registry.js';
import { createRedisClient } from '../../../services/detector/src/redis/redis-connection.js';
import { RuleCatalogHolder } from '../../../services/detector/src/rules/rule-catalog-holder.js';
import { DonorIndex } from '../../../services/detector/src/state/donor-index.js';
import { WalletLeases } from '../../../services/detector/src/state/wallet-leases.js';
import { WalletStateCache } from '../../../services/detector/src/state/wallet-state-cache.js';
import { WalletStateStore } from '../../../services/detector/src/state/wallet-state-store.js';
import { connectionEnv, testRedis } from '../../support/clients.js';
import { campaign, deposit, HOUR, MINUTE } from '../../support/events.js';
import { deleteKeys, testNames } from '../../support/test-detector.js';

const { env } = testNames();
const config = loadConfig({ ...connectionEnv(), ...env });
const redis = createRedisClient(config.redis);
const logger = pino({ level: 'silent' });
const prefix = config.redis.keyPrefix;
/** The group's committed offsets, as the runtime would report them: "partition" → next offset. */
const committed = new Map<number, bigint>();
const handler = createChunkHandler({
  config,
  store: new WalletStateStore(redis, prefix, config.features),
  leases: new WalletLeases(),
  cache: new WalletStateCache({ maxBytes: 64 * 1024 * 1024, maxIdleMs: 60_000 }),
  donors: new DonorIndex(redis, prefix),
  streams: new StreamRegistry(redis, prefix, logger),
  catalog: new RuleCatalogHolder(config.rulesFile, config.features.windows, config.features.base, logger)
    .current,
  converter: new CurrencyConverter(config.features.base, config.features.fxRates),
  metrics: createMetrics(),
  logger,
  now: () => Date.now(),
  committedOffset: async (_topic, partition) => committed.get(partition) ?? null,
  origin: 'live',
  alerts: 'publish',
});

function records(partition: number, events: TransactionEventInput[], from = 0): SourceRecord[] {
  return events.map((e, i) => ({
    topic: config.kafka.inputTopic,
    partition,
    offset: String(from + i),
    timestampMs: Date.now(),
    key: Buffer.from(e.toWalletId ?? ''),
    value: Buffer.from(JSON.stringify(e)),
  }));
}

async function runChunk(partition: number, chunk: SourceRecord[], attempt = 1) {
  return handler(
    {
      topic: config.kafka.inputTopic,
      partition,
      streamKey: `inc/${partition}`,
      committedOffset: committed.get(partition) ?? null,
      attempt,
      signal: new AbortController().signal,
    },
    chunk,
  );
}

const alertsOf = (outputs: OutputRecord[]) =>
  outputs
    .filter((o) => o.topic === config.kafka.alertsTopic)
    .map((o) => AlertSchema.parse(JSON.parse(o.value.toString())));

afterAll(async () => {
  redis.disconnect();
  const cleaner = testRedis();
  await deleteKeys(cleaner, `${prefix}:*`);
  cleaner.disconnect();
});

describe('a chunk that comes again after a crash before its commit', () => {
  it('publishes again the replacement alert its retro search raised on another partition’s wallet', async () => {
    const start = Date.now() - 6 * HOUR;
    // Partition 1: a young wallet a few of the campaign's donors already gave to (not alerted alone).
    const replacement = Array.from({ length: 12 }, (_, i) =>
      deposit('w-replacement', start + i * MINUTE, {
        fromRef: `donor-w-campaign-${i}`,
        amount: '300.00',
        toWalletCreatedAt: new Date(start - HOUR).toISOString(),
      }),
    );
    const first = await runChunk(1, records(1, replacement));
    await first.afterCommit?.();
    committed.set(1, BigInt(replacement.length));
    expect(alertsOf(first.records)).toEqual([]);

    // Partition 0: the campaign; flagging it finds the replacement through the shared donors.
    const donations = campaign('w-campaign', start + 30 * MINUTE, 80, MINUTE);
    const chunk = records(0, donations);
    const crashed = await runChunk(0, chunk);
    const raised = alertsOf(crashed.records);
    expect(new Set(raised.map((a) => a.walletId))).toEqual(new Set(['w-campaign', 'w-replacement']));

    // The process died before the transaction committed: nothing was published, nothing settled.
    const again = await runChunk(0, chunk, 2);
    expect(
      alertsOf(again.records)
        .map((a) => a.alertId)
        .sort(),
    ).toEqual(raised.map((a) => a.alertId).sort());
  });
});
