// The kafkajs client for every producer, consumer and admin of the process: brokers, SASL and TLS
// from configuration, and kafkajs's own log lines routed into the process logger.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from '../config/index.js';

export function createKafka(config: KafkaConfig, logger: Logger, clientId = config.clientId): Kafka {
  const options: KafkaJsConfig = {
    clientId,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...extra } = log;
        const method = methodFor(level, message, extra.error);
        logger[method]({ kafkajs: extra }, message);
      },
    retry: { retries: 8, initialRetryTime: 200 },
  };
  if (config.tls) {
    options.ssl = {
      ca: config.tls.ca ? [readFileSync(config.tls.ca, 'utf8')] : undefined,
      cert: config.tls.cert ? readFileSync(config.tls.cert, 'utf8') : undefined,
      key: config.tls.key ? readFileSync(config.tls.key, 'utf8') : undefined,
    };
  }
  if (config.sasl) options.sasl = config.sasl as SASLOptions;
  return new Kafka(options);
}

/**
 * kafkajs's level, except for CONCURRENT_TRANSACTIONS: kafkajs logs each one it retries as an error,
 * yet it is the normal wait for the previous transaction's markers (a few ms, most transactions).
 */
function methodFor(level: logLevel, message: unknown, error: unknown): 'error' | 'warn' | 'debug' {
  const concurrent = /another concurrent operation on the same transaction/;
  if (concurrent.test(String(message)) || concurrent.test(String(error))) return 'debug';
  return level <= logLevel.ERROR ? 'error' : level === logLevel.WARN ? 'warn' : 'debug';
}
