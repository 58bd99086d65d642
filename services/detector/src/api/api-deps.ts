// What the API is built from: every outside dependency is handed in, so tests and the detector build
// the same app over their own Kafka, Redis, catalog and wallet state.
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { WalletStateRisk } from '../../../../schemas/wallet-risk.js';
import type { Config } from '../config/index.js';
import type { Metrics } from '../metrics.js';
import type { RedisClient } from '../redis/redis-connection.js';
import type { RuleCatalog } from '../rules/rule-catalog.js';

export interface Readiness {
  ready: boolean;
  /** Why not, one sentence each (empty when ready). */
  reasons: string[];
  checks: Record<string, unknown>;
}

export interface ApiDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  readiness: () => Promise<Readiness>;
  /** The rule catalog in force (it can be reloaded while the process runs). */
  catalog: () => RuleCatalog;
  /**
   * A wallet's risk from its state record, or null when FlowGuard has never seen it. The API adds the
   * flags, watchlist and recent alerts from its indexes (a WalletRisk returned whole is accepted too).
   */
  riskOf: (walletId: string) => Promise<WalletStateRisk | null>;
  redis: RedisClient;
  /** From kafka/kafka-client.ts createKafka (brokers, SASL, TLS). */
  kafka: Kafka;
  /** Wall clock, ms (tests move it). */
  now?: () => number;
}
