// What the chunk handlers need from the outside, handed in once by the detector's assembly.
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { CurrencyConverter } from '../domain/money.js';
import type { Metrics } from '../metrics.js';
import type { RuleCatalog } from '../rules/rule-catalog.js';
import type { DonorIndex } from '../state/donor-index.js';
import type { WalletLeases } from '../state/wallet-leases.js';
import type { WalletStateCache } from '../state/wallet-state-cache.js';
import type { WalletStateStore } from '../state/wallet-state-store.js';
import type { StreamRegistry } from './stream-registry.js';

export interface PipelineDeps {
  config: Config;
  store: WalletStateStore;
  /** Which wallets a chunk of this process works on now (one process-wide instance). */
  leases: WalletLeases;
  /** Wallet states at their stored version, kept between chunks (one process-wide instance). */
  cache: WalletStateCache;
  donors: DonorIndex;
  streams: StreamRegistry;
  catalog: () => RuleCatalog;
  converter: CurrencyConverter;
  metrics: Metrics;
  logger: Logger;
  /** Wall-clock now (analyst silences, detectedAt, the skew reference). */
  now: () => number;
  /** The consumer group's committed offset of a partition (cached by the runtime). */
  committedOffset: (topic: string, partition: number) => Promise<bigint | null>;
  /** "backfill" marks alerts raised while replaying history at a first deployment. */
  origin: 'live' | 'backfill';
  /**
   * "hold": replaying history with alerts held back — features and donors are built, no alert is
   * decided or published, so live detection judges an ongoing campaign afresh after the hand-over.
   */
  alerts: 'publish' | 'hold';
}
