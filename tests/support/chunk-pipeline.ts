// The detector's chunk handler on the real Redis without Kafka: the pipeline's dependencies as the
// detector assembles them, with the committed offsets held by the test and the store replaceable (to
// watch or interfere with its writes).
import { pino } from 'pino';
import type { TransactionEventInput } from '../../schemas/transaction-event.js';
import type { Config } from '../../services/detector/src/config/index.js';
import { CurrencyConverter } from '../../services/detector/src/domain/money.js';
import type { SourceRecord } from '../../services/detector/src/kafka/chunk-contract.js';
import { createMetrics } from '../../services/detector/src/metrics.js';
import { createChunkHandler } from '../../services/detector/src/pipeline/chunk-handler.js';
import type { PipelineDeps } from '../../services/detector/src/pipeline/pipeline-deps.js';
import { StreamRegistry } from '../../services/detector/src/pipeline/stream-registry.js';
import type { RedisClient } from '../../services/detector/src/redis/redis-connection.js';
import { RuleCatalogHolder } from '../../services/detector/src/rules/rule-catalog-holder.js';
import { DonorIndex } from '../../services/detector/src/state/donor-index.js';
import { WalletLeases } from '../../services/detector/src/state/wallet-leases.js';
import { WalletStateCache } from '../../services/detector/src/state/wallet-state-cache.js';
import { WalletStateStore } from '../../services/detector/src/state/wallet-state-store.js';

export interface ChunkPipeline {
  deps: PipelineDeps;
  /** The group's committed offsets, as the runtime would report them: partition → next offset. */
  committed: Map<number, bigint>;
  /** Runs one chunk of the input topic through the handler. */
  run(
    partition: number,
    records: SourceRecord[],
    attempt?: number,
  ): ReturnType<ReturnType<typeof createChunkHandler>>;
}

export function chunkPipeline(
  config: Config,
  redis: RedisClient,
  store: WalletStateStore = new WalletStateStore(redis, config.redis.keyPrefix, config.features),
): ChunkPipeline {
  const logger = pino({ level: 'silent' });
  const prefix = config.redis.keyPrefix;
  const committed = new Map<number, bigint>();
  const deps: PipelineDeps = {
    config,
    store,
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
  };
  const handler = createChunkHandler(deps);
  return {
    deps,
    committed,
    run: (partition, records, attempt = 1) =>
      handler(
        {
          topic: config.kafka.inputTopic,
          partition,
          streamKey: `inc/${partition}`,
          committedOffset: committed.get(partition) ?? null,
          attempt,
          signal: new AbortController().signal,
        },
        records,
      ),
  };
}

/** Events as the records of one input partition, from offset `from` on. */
export function sourceRecords(config: Config) {
  return (partition: number, events: TransactionEventInput[], from = 0): SourceRecord[] =>
    events.map((e, i) => ({
      topic: config.kafka.inputTopic,
      partition,
      offset: String(from + i),
      timestampMs: Date.now(),
      key: Buffer.from(e.toWalletId ?? ''),
      value: Buffer.from(JSON.stringify(e)),
    }));
}
