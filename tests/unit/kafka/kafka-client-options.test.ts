// How the Kafka section of the configuration becomes kafkajs options: SASL as given, TLS material
// read from the files, nothing of either when not configured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/detector/src/config/index.js';
import { kafkaClientOptions } from '../../../services/detector/src/kafka/kafka-client.js';

const dir = mkdtempSync(join(tmpdir(), 'fg-kafka-opts-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const logger = pino({ level: 'silent' });
const base = { KAFKA_BROKERS: 'kafka-1:9094,kafka-2:9094', REDIS_URL: 'redis://127.0.0.1:1' };

describe('kafkaClientOptions', () => {
  it('has neither SASL nor TLS when none is configured', () => {
    const options = kafkaClientOptions(loadConfig(base).kafka, logger);
    expect(options.brokers).toEqual(['kafka-1:9094', 'kafka-2:9094']);
    expect(options.sasl).toBeUndefined();
    expect(options.ssl).toBeUndefined();
  });

  it('passes the SCRAM user, with the password read from its file', () => {
    const config = loadConfig({
      ...base,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'flowguard',
      KAFKA_SASL_PASSWORD_FILE: file('password', 's3cret\n'),
    });
    expect(kafkaClientOptions(config.kafka, logger).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'flowguard',
      password: 's3cret',
    });
  });

  it('reads the CA, certificate and key for TLS, and only those given', () => {
    const full = loadConfig({
      ...base,
      KAFKA_TLS: 'true',
      KAFKA_TLS_CA_FILE: file('ca.pem', 'CA PEM'),
      KAFKA_TLS_CERT_FILE: file('cert.pem', 'CERT PEM'),
      KAFKA_TLS_KEY_FILE: file('key.pem', 'KEY PEM'),
    });
    expect(kafkaClientOptions(full.kafka, logger).ssl).toEqual({
      ca: ['CA PEM'],
      cert: 'CERT PEM',
      key: 'KEY PEM',
    });
    const systemCas = loadConfig({ ...base, KAFKA_TLS: 'true' });
    expect(kafkaClientOptions(systemCas.kafka, logger).ssl).toEqual({});
  });

  it('refuses a SASL mechanism without its user', () => {
    expect(() => loadConfig({ ...base, KAFKA_SASL_MECHANISM: 'scram-sha-256' })).toThrow(
      /KAFKA_SASL_USERNAME/,
    );
  });
});
