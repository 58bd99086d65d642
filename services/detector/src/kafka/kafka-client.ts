// The kafkajs client for every producer, consumer and admin of the process: brokers, SASL and TLS
// from configuration, kafkajs's own log lines routed into the process logger, and a start-up check
// that turns refused credentials into a clear error instead of a retry loop.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from '../config/index.js';
import { FlowGuardError } from '../errors.js';

/** The kafkajs options of FlowGuard's client (exported so the mapping of SASL and TLS is testable). */
export function kafkaClientOptions(
  config: KafkaConfig,
  logger: Logger,
  clientId = config.clientId,
): KafkaJsConfig {
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
    const ssl: { ca?: string[]; cert?: string; key?: string } = {};
    if (config.tls.ca) ssl.ca = [readFileSync(config.tls.ca, 'utf8')];
    if (config.tls.cert) ssl.cert = readFileSync(config.tls.cert, 'utf8');
    if (config.tls.key) ssl.key = readFileSync(config.tls.key, 'utf8');
    options.ssl = ssl;
  }
  if (config.sasl) options.sasl = config.sasl as SASLOptions;
  return options;
}

export function createKafka(config: KafkaConfig, logger: Logger, clientId = config.clientId): Kafka {
  return new Kafka(kafkaClientOptions(config, logger, clientId));
}

/** kafkajs errors wrap each other (retries, connection pools): the chain of names and messages. */
function errorChain(error: unknown): { name: string; message: string; type?: string }[] {
  const chain: { name: string; message: string; type?: string }[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < 10) {
    chain.push({ name: current.name, message: current.message, type: (current as { type?: string }).type });
    current = (current as { originalError?: unknown }).originalError ?? current.cause;
  }
  return chain;
}

const AUTH_ERROR_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
]);

/** A failure to reach or log in to the brokers, as FG_KAFKA_AUTH_FAILED or FG_KAFKA_UNAVAILABLE. */
export function kafkaAccessError(error: unknown, config: KafkaConfig): FlowGuardError {
  const chain = errorChain(error);
  const brokers = config.brokers.join(',');
  const refused = chain.find(
    (e) =>
      e.name === 'KafkaJSSASLAuthenticationError' || (e.type !== undefined && AUTH_ERROR_TYPES.has(e.type)),
  );
  if (refused) {
    const who = config.sasl
      ? `user '${config.sasl.username}' (${config.sasl.mechanism})`
      : 'a client without SASL';
    return new FlowGuardError(
      'FG_KAFKA_AUTH_FAILED',
      `Kafka at ${brokers} refused ${who}: ${refused.message} — check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE), and that the brokers' listener expects SASL`,
      { cause: error },
    );
  }
  const reason = chain.at(-1)?.message ?? String(error);
  const hint = config.sasl
    ? ''
    : ' (a listener that requires SASL or TLS drops clients without them: check KAFKA_SASL_* and KAFKA_TLS)';
  return new FlowGuardError('FG_KAFKA_UNAVAILABLE', `Kafka at ${brokers} is not usable: ${reason}${hint}`, {
    cause: error,
    retryable: true,
  });
}

/**
 * Connects an admin and asks for the cluster: resolves when the brokers accept FlowGuard's credentials.
 * Refused credentials reject at once with FG_KAFKA_AUTH_FAILED (kafkajs does not retry them); brokers
 * that do not answer within `timeoutMs` reject with FG_KAFKA_UNAVAILABLE.
 */
export async function verifyKafkaAccess(
  kafka: Kafka,
  config: KafkaConfig,
  timeoutMs = 15_000,
): Promise<void> {
  const admin = kafka.admin();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([admin.connect().then(() => admin.describeCluster()), timeout]);
  } catch (error) {
    throw kafkaAccessError(error, config);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
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
