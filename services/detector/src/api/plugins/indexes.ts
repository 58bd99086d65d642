// The indexes the API reads (alerts; audit, flags and watchlist), kept in Redis from their topics,
// and the live alert stream. Started with the app, stopped when it closes.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Config } from '../../config/index.js';
import type { Metrics } from '../../metrics.js';
import type { RedisClient } from '../../redis/redis-connection.js';
import { AlertIndex } from '../indexes/alert-index.js';
import { AlertStream } from '../indexes/alert-stream.js';
import { AuditIndex } from '../indexes/audit-index.js';
import { alertKeys, auditKeys } from '../indexes/index-keys.js';
import { registerIndexScripts } from '../indexes/index-scripts.js';
import { TopicMaterializer, type MaterializerStatus } from '../indexes/topic-materializer.js';

export interface Indexes {
  alerts: AlertIndex;
  audit: AuditIndex;
  stream: AlertStream;
  status(): {
    alertIndex: MaterializerStatus;
    auditIndex: MaterializerStatus;
    alertStream: { live: boolean; subscribers: number };
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    indexes: Indexes;
  }
}

export interface IndexesOptions {
  config: Config;
  kafka: Kafka;
  redis: RedisClient;
  logger: Logger;
  metrics: Metrics;
  now: () => number;
}

/** Consumer groups of the API: "<KAFKA_GROUP_ID>.api.<index>.<epoch>" and "...api.alert-stream.<instance>". */
export function apiGroupPrefix(config: Config): string {
  return `${config.kafka.groupId}.api`;
}

const indexes: FastifyPluginAsync<IndexesOptions> = async (
  app,
  { config, kafka, redis, logger, metrics, now },
) => {
  registerIndexScripts(redis);
  const counters = indexCounters(metrics);
  const prefix = config.redis.keyPrefix;
  const groupPrefix = apiGroupPrefix(config);
  const alerts = new AlertIndex(redis, alertKeys(prefix), config.api.alertIndexRetentionMs, logger, now);
  const audit = new AuditIndex(
    redis,
    auditKeys(prefix),
    { audit: config.kafka.auditTopic, mentions: config.kafka.mentionsTopic },
    config.pipeline.watchlistTtlMs,
    logger,
    now,
  );
  const common = { kafka, redis, logger, groupPrefix, epochCheckMs: config.api.indexEpochCheckMs };
  const alertMaterializer = new TopicMaterializer({
    ...common,
    name: 'alert-index',
    topics: [config.kafka.alertsTopic],
    epochKey: alertKeys(prefix).epoch,
    apply: async (batch) => {
      const indexed = await alerts.applyBatch(batch);
      counters.records.inc({ index: 'alert-index' }, indexed);
    },
    onRebuild: () => counters.rebuilds.inc({ index: 'alert-index' }),
  });
  const auditMaterializer = new TopicMaterializer({
    ...common,
    name: 'audit-index',
    topics: [config.kafka.auditTopic, config.kafka.mentionsTopic],
    epochKey: auditKeys(prefix).epoch,
    apply: async (batch) => {
      await audit.applyBatch(batch);
      counters.records.inc({ index: 'audit-index' }, batch.messages.length);
    },
    onRebuild: () => counters.rebuilds.inc({ index: 'audit-index' }),
  });
  const stream = new AlertStream(
    kafka,
    config.kafka.alertsTopic,
    groupPrefix,
    logger,
    config.api.indexEpochCheckMs,
  );

  await Promise.all([alertMaterializer.start(), auditMaterializer.start(), stream.start()]);
  app.decorate('indexes', {
    alerts,
    audit,
    stream,
    status: () => ({
      alertIndex: alertMaterializer.status(),
      auditIndex: auditMaterializer.status(),
      alertStream: { live: stream.isLive, subscribers: stream.subscribers },
    }),
  });
  app.addHook('onClose', async () => {
    await Promise.all([alertMaterializer.stop(), auditMaterializer.stop(), stream.stop()]);
  });
};

function indexCounters(metrics: Metrics) {
  const counter = (name: string, help: string) =>
    (metrics.registry.getSingleMetric(name) as Counter<'index'> | undefined) ??
    new Counter({ name, help, labelNames: ['index'], registers: [metrics.registry] });
  return {
    records: counter('flowguard_api_index_records_total', 'Records applied to the API indexes from Kafka'),
    rebuilds: counter(
      'flowguard_api_index_rebuilds_total',
      'Index rebuilds from Kafka after Redis lost an index',
    ),
  };
}

export default fp(indexes, { name: 'flowguard-indexes', fastify: '5.x' });
