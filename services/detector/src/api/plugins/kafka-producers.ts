// The API's Kafka producers: the decision log (flags, watchlist, audit) and the event producer (HTTP
// ingestion). Connected at start, disconnected when the app closes.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import { DecisionLog } from '../decisions/decision-log.js';
import { EventProducer } from '../event-producer.js';

declare module 'fastify' {
  interface FastifyInstance {
    decisionLog: DecisionLog;
    eventProducer: EventProducer;
  }
}

export interface KafkaProducersOptions {
  config: Config;
  kafka: Kafka;
  logger: Logger;
}

/** Unique per process: the API needs atomic decisions, not fencing between replicas. */
export function decisionTransactionalId(config: Config): string {
  return (
    config.api.transactionalId ??
    `${config.kafka.transactionalIdPrefix}.api.${hostname()}.${process.pid}.${randomBytes(3).toString('hex')}`
  );
}

const kafkaProducers: FastifyPluginAsync<KafkaProducersOptions> = async (app, { config, kafka, logger }) => {
  const decisionLog = new DecisionLog(kafka, decisionTransactionalId(config), logger);
  const eventProducer = new EventProducer(kafka, config.kafka.inputTopic);
  await Promise.all([decisionLog.start(), eventProducer.start()]);
  app.decorate('decisionLog', decisionLog);
  app.decorate('eventProducer', eventProducer);
  app.addHook('onClose', async () => {
    await Promise.all([decisionLog.stop(), eventProducer.stop()]);
  });
};

export default fp(kafkaProducers, { name: 'flowguard-kafka-producers', fastify: '5.x' });
