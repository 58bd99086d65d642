// How the Redis section of the configuration becomes ioredis options for standalone and for every
// cluster node: the ACL user, TLS material read from the files, nothing of either when not configured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/detector/src/config/index.js';
import { redisConnectionOptions } from '../../../services/detector/src/redis/redis-connection.js';

const dir = mkdtempSync(join(tmpdir(), 'fg-redis-opts-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const base = { KAFKA_BROKERS: '127.0.0.1:1', REDIS_URL: 'redis://redis:6379' };

describe('redisConnectionOptions', () => {
  it('sends no user and no TLS when none is configured', () => {
    const options = redisConnectionOptions(loadConfig(base).redis);
    expect(options).not.toHaveProperty('username');
    expect(options).not.toHaveProperty('password');
    expect(options).not.toHaveProperty('tls');
  });

  it('uses the ACL user, with the password read from its file', () => {
    const config = loadConfig({
      ...base,
      REDIS_USERNAME: 'flowguard',
      REDIS_PASSWORD_FILE: file('password', 'pw-from-file\n'),
    });
    expect(redisConnectionOptions(config.redis)).toMatchObject({
      username: 'flowguard',
      password: 'pw-from-file',
    });
  });

  it('reads the CA, certificate and key for TLS', () => {
    const config = loadConfig({
      ...base,
      REDIS_CLUSTER_NODES: 'r1:6379,r2:6379',
      REDIS_TLS: 'true',
      REDIS_TLS_CA_FILE: file('ca.pem', 'CA PEM'),
      REDIS_TLS_CERT_FILE: file('cert.pem', 'CERT PEM'),
      REDIS_TLS_KEY_FILE: file('key.pem', 'KEY PEM'),
    });
    expect(redisConnectionOptions(config.redis).tls).toEqual({
      ca: 'CA PEM',
      cert: 'CERT PEM',
      key: 'KEY PEM',
    });
  });
});
