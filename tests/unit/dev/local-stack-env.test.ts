// withLocalStack: tools connect to the local stack the way a deployment would (SASL listener, Redis
// ACL user), and never pair the stack's credentials with endpoints the environment names itself.
import { describe, expect, it } from 'vitest';
import { withLocalStack } from '../../../scripts/dev/local-stack-env.js';

const stack = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  REDIS_URL: 'redis://127.0.0.1:6390',
  REDIS_CLUSTER_NODES: '127.0.0.1:7101,127.0.0.1:7102',
  KAFKA_SASL_BROKERS: '127.0.0.1:9094',
  KAFKA_SASL_MECHANISM: 'scram-sha-256',
  KAFKA_SASL_USERNAME: 'flowguard',
  KAFKA_SASL_PASSWORD: 'kafka-pw',
  REDIS_USERNAME: 'flowguard',
  REDIS_PASSWORD: 'redis-pw',
};

describe('withLocalStack', () => {
  it('fills in the SASL listener with its user and the Redis ACL user, but not the cluster', () => {
    expect(withLocalStack({ LOG_LEVEL: 'info' }, stack)).toEqual({
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: '127.0.0.1:9094',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'flowguard',
      KAFKA_SASL_PASSWORD: 'kafka-pw',
      REDIS_URL: 'redis://127.0.0.1:6390',
      REDIS_USERNAME: 'flowguard',
      REDIS_PASSWORD: 'redis-pw',
    });
  });

  it("leaves the environment's own endpoints alone and adds none of the stack's credentials to them", () => {
    const env = { KAFKA_BROKERS: 'kafka:9092', REDIS_CLUSTER_NODES: 'r1:6379' };
    expect(withLocalStack(env, stack)).toEqual(env);
  });

  it('uses the plaintext listener of a stack that has no SASL listener', () => {
    const { KAFKA_BROKERS, REDIS_URL } = stack;
    expect(withLocalStack({}, { KAFKA_BROKERS, REDIS_URL })).toEqual({ KAFKA_BROKERS, REDIS_URL });
  });
});
