// Prometheus metrics (prom-client): one registry per process, exposed on GET /metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    eventsConsumed: new Counter({
      name: 'flowguard_events_consumed_total',
      help: 'Input messages consumed',
      registers: [registry],
    }),
    walletUpdates: new Counter({
      name: 'flowguard_wallet_updates_total',
      help: 'Wallet feature updates by outcome (applied, duplicate, beyond-retention)',
      labelNames: ['status'],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'flowguard_dead_lettered_total',
      help: 'Messages sent to the dead-letter topic',
      labelNames: ['code'],
      registers: [registry],
    }),
    alertsPublished: new Counter({
      name: 'flowguard_alerts_published_total',
      help: 'Alerts published in committed transactions',
      registers: [registry],
    }),
    openingTimesIgnored: new Counter({
      name: 'flowguard_opening_times_ignored_total',
      help: 'Wallet opening times not believed (after the event, or before WALLET_CREATED_FLOOR)',
      registers: [registry],
    }),
    seededWallets: new Counter({
      name: 'flowguard_seeded_wallets_total',
      help: 'Wallets whose payers became donors for the replacement rule, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    retroCandidates: new Counter({
      name: 'flowguard_retro_candidates_total',
      help: 'Wallets re-examined because a wallet whose donors had paid them was flagged',
      registers: [registry],
    }),
    stateLost: new Counter({
      name: 'flowguard_state_lost_total',
      help: 'Chunks that found Redis behind the checkpoint this process last wrote (lost acknowledged writes): the partition was opened again to replay',
      registers: [registry],
    }),
    eventIdReuseApplied: new Counter({
      name: 'flowguard_event_id_reuse_applied_total',
      help: 'Events a chunk run again applied to a wallet whose write lost although another writer had put their eventId there with another body (the event was already stored on its other wallet)',
      registers: [registry],
    }),
    seedSearchesSkipped: new Counter({
      name: 'flowguard_pending_seed_searches_skipped_total',
      help: 'Seeds of a chunk that came again whose first write was complete, so their search was not run again',
      registers: [registry],
    }),
    pendingRepublished: new Counter({
      name: 'flowguard_pending_alerts_republished_total',
      help: 'Alerts decided in an attempt whose transaction never committed, published again',
      registers: [registry],
    }),
    decisionsApplied: new Counter({
      name: 'flowguard_decisions_applied_total',
      help: 'Analyst decisions and watchlist mentions applied to wallet state, by action',
      labelNames: ['action'],
      registers: [registry],
    }),
    walletWrites: new Counter({
      name: 'flowguard_wallet_writes_total',
      help: 'Wallet records stored, by how: "journal" appended the sides a chunk applied, "whole" wrote the record anew',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    stateConflicts: new Counter({
      name: 'flowguard_state_conflicts_total',
      help: 'Wallet records another writer changed under a chunk (the chunk ran again)',
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'flowguard_batch_seconds',
      help: 'Time to process one Kafka batch, decode to commit',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    batchRetries: new Counter({
      name: 'flowguard_batch_retries_total',
      help: 'Chunks tried again, by reason (an FG_* code, a Kafka error type, or poison)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    partitionStalled: new Gauge({
      name: 'flowguard_partition_stalled',
      help: '1 while an input partition has work in hand and has not advanced for STALL_AFTER',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
    partitionRefused: new Gauge({
      name: 'flowguard_partition_refused',
      help: '1 while an input partition is not processed because its state check refused it',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
    kafkaTransactions: new Counter({
      name: 'flowguard_kafka_transactions_total',
      help: 'Kafka transactions (outputs + input offsets) by result: committed, aborted, fenced',
      labelNames: ['result'],
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
