// How the batch runs: chunk size, retries and the stall that makes /readyz fail, shutdown, watchlist.
import { z } from 'zod';
import { duration, flag, positiveInt } from './env-values.js';

export const pipelineEnv = {
  /**
   * A Kafka batch is processed in chunks of this many records, each its own Kafka transaction. The
   * default takes a whole fetched batch (KAFKA_FETCH_PARTITION_BYTES, 4 MiB a partition, ~14,000
   * events) in one chunk: every chunk has fixed costs (a transaction, Redis round trips, a wallet's
   * write however many of its sides the chunk holds), and a batch is bounded in bytes by the fetch.
   */
  BATCH_CHUNK_SIZE: positiveInt.max(100_000).default(20_000),
  /** Tries of a record that fails for a reason other than an unavailable broker or Redis, before it is dead-lettered. */
  MAX_ATTEMPTS: positiveInt.max(20).default(3),
  RETRY_MAX_BACKOFF: duration.prefault('5s'),
  /** A partition that has not advanced for this long while its batch keeps failing makes /readyz 503. */
  STALL_AFTER: duration.prefault('30s'),
  SHUTDOWN_TIMEOUT: duration.prefault('25s'),
  /** A watchlist entry without its own end expires this long after it was listed. */
  WATCHLIST_TTL: duration.prefault('90d'),
  RULES_FILE: z.string().optional(),
  /**
   * Heap for wallet states kept decoded between chunks, in MiB (0: none). A typical wallet takes about
   * 5-10 KB, a busy one up to about 300 KB; the default fits the k8s memory limit (1 GiB) with room.
   */
  WALLET_CACHE_MB: z.coerce.number().int().min(0).max(65_536).default(128),
  /**
   * Wallets this process works on at once, over all its partitions' chunks: each is a decoded state
   * (~6 KB for a typical wallet) held, with the chunk's records, until the chunk's write. A chunk whose
   * wallets do not fit beside the others' waits; one with more than this runs alone. The default holds
   * ~120-160 MB; the detector's 768 MB heap (DETECTOR_NODE_FLAGS) also holds the cache (WALLET_CACHE_MB).
   */
  WALLETS_IN_FLIGHT: positiveInt.max(10_000_000).default(20_000),
  /** A cached state idle this long is read from Redis again (far below any record's time-to-live). */
  WALLET_CACHE_IDLE: duration.prefault('10m'),
  /**
   * Append a chunk's applied sides to a wallet's record instead of writing it whole (a journal,
   * state/wallet-journal.ts). Set false while detectors older than the journal still run: they read
   * a record with a journal as corrupt. Every detector reads both either way.
   */
  WALLET_JOURNAL: flag.default(true),
};

type PipelineEnv = z.output<z.ZodObject<typeof pipelineEnv>>;

export interface PipelineConfig {
  chunkSize: number;
  maxAttempts: number;
  retryMaxBackoffMs: number;
  stallAfterMs: number;
  shutdownTimeoutMs: number;
  watchlistTtlMs: number;
  walletCacheBytes: number;
  walletCacheIdleMs: number;
  walletsInFlight: number;
  walletJournal: boolean;
}

export function buildPipelineConfig(e: PipelineEnv): PipelineConfig {
  return {
    chunkSize: e.BATCH_CHUNK_SIZE,
    maxAttempts: e.MAX_ATTEMPTS,
    retryMaxBackoffMs: e.RETRY_MAX_BACKOFF,
    stallAfterMs: e.STALL_AFTER,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT,
    watchlistTtlMs: e.WATCHLIST_TTL,
    walletCacheBytes: e.WALLET_CACHE_MB * 1024 * 1024,
    walletCacheIdleMs: e.WALLET_CACHE_IDLE,
    walletsInFlight: e.WALLETS_IN_FLIGHT,
    walletJournal: e.WALLET_JOURNAL,
  };
}
