// KAFKA_SESSION_TIMEOUT: how long a dead instance keeps its partitions, read once like any duration.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/detector/src/config/index.js';

const base = { KAFKA_BROKERS: 'kafka-1:9094', REDIS_URL: 'redis://127.0.0.1:1' };

describe('KAFKA_SESSION_TIMEOUT', () => {
  it('defaults to the 30 s kafkajs always used', () => {
    expect(loadConfig(base).kafka.sessionTimeoutMs).toBe(30_000);
  });

  it('takes a duration', () => {
    expect(loadConfig({ ...base, KAFKA_SESSION_TIMEOUT: '6s' }).kafka.sessionTimeoutMs).toBe(6_000);
  });

  it('refuses what is not a duration, naming the variable', () => {
    expect(() => loadConfig({ ...base, KAFKA_SESSION_TIMEOUT: 'soon' })).toThrow(/KAFKA_SESSION_TIMEOUT/);
  });
});
