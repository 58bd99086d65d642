// Connecting to real Redis as configured: FlowGuard's ACL user on standalone and cluster can do what
// FlowGuard does and none of the dangerous commands, a wrong password fails at once with a clear code
// instead of reconnecting for ever, the default user still works, and TLS (with a client certificate)
// works for a standalone server and for every node of a cluster.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../services/detector/src/config/index.js';
import { isFlowGuardError } from '../../../services/detector/src/errors.js';
import {
  connectRedis,
  createRedisClient,
  type RedisClient,
} from '../../../services/detector/src/redis/redis-connection.js';
import { adminRedis, redisAcl, redisEnv, requireEndpoint } from '../../support/clients.js';
import { sparePort, startRedisServer, type TestRedisServer } from '../../support/redis-server.js';
import { makeTestCertificates, type TestCertificates } from '../../support/tls-certs.js';

const clients: RedisClient[] = [];
function track(client: RedisClient): RedisClient {
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}
afterAll(() => clients.forEach((c) => c.disconnect()));

const clusterNodes = () => requireEndpoint('redisClusterNodes').split(',');
const hostPort = (node: string) => ({ host: node.split(':')[0]!, port: Number(node.split(':')[1]) });

/** Every command FlowGuard's user must be allowed, and every one it must not. */
const ALLOWED = [
  ['evalsha', '0000000000000000000000000000000000000000', '0'],
  ['eval', 'return 1', '0'],
  ['config', 'get', 'appendonly'],
  ['info', 'server'],
  ['cluster', 'slots'],
  ['get', 'k'],
  ['set', 'k', 'v', 'PX', '1000'],
  ['scan', '0'],
  ['unlink', 'k'],
];
const DENIED = [
  ['flushall'],
  ['flushdb'],
  ['shutdown'],
  ['debug', 'sleep', '0'],
  ['keys', '*'],
  ['config', 'set', 'appendonly', 'no'],
  ['acl', 'list'],
];

describe.skipIf(!redisAcl())('Redis as FlowGuard ACL user', () => {
  it('runs scripts and reads its settings on the standalone Redis and on every cluster node', async () => {
    for (const env of [redisEnv(), redisEnv({ cluster: true })]) {
      const config = loadConfig({ KAFKA_BROKERS: '127.0.0.1:1', ...env });
      const client = track(createRedisClient(config.redis));
      await connectRedis(client);
      expect(await client.eval('return redis.call("ping")', 0)).toBe('PONG');
      const nodes = client instanceof Cluster ? client.nodes('master') : [client];
      expect(nodes).toHaveLength(env.REDIS_CLUSTER_NODES ? clusterNodes().length : 1);
      for (const node of nodes) {
        expect(await node.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
        expect(await node.info('server')).toMatch(/redis_version/);
      }
    }
  });

  it('may run what FlowGuard runs and none of FLUSHALL, FLUSHDB, SHUTDOWN, DEBUG, KEYS, CONFIG SET, ACL', async () => {
    const { username } = redisAcl()!;
    for (const node of [undefined, ...clusterNodes().map(hostPort)]) {
      const admin = adminRedis(node);
      // ACL DRYRUN asks the server whether the user could; nothing is executed.
      for (const command of ALLOWED)
        expect(await admin.call('ACL', 'DRYRUN', username, ...command)).toBe('OK');
      for (const command of DENIED) {
        expect(await admin.call('ACL', 'DRYRUN', username, ...command)).toMatch(/no permissions/);
      }
      admin.disconnect();
    }
  });

  it('fails at once with FG_REDIS_AUTH_FAILED on a wrong password, standalone and cluster', async () => {
    for (const env of [redisEnv(), redisEnv({ cluster: true })]) {
      const config = loadConfig({ KAFKA_BROKERS: '127.0.0.1:1', ...env, REDIS_PASSWORD: 'not-the-password' });
      const client = track(createRedisClient(config.redis));
      const started = Date.now();
      const error = await connectRedis(client).catch((e: unknown) => e);
      expect(isFlowGuardError(error, 'FG_REDIS_AUTH_FAILED')).toBe(true);
      expect((error as Error).message).toMatch(/refused user 'flowguard': WRONGPASS.*REDIS_PASSWORD/);
      expect(Date.now() - started).toBeLessThan(3000);
    }
  });
});

describe('Redis as the default user (no credentials)', () => {
  it('connects and writes without ACL settings', async () => {
    const client = track(createRedisClient({ url: requireEndpoint('redisUrl'), clusterNodes: undefined }));
    await connectRedis(client);
    const key = `t-default-user-${process.pid}-${Date.now()}`;
    await client.set(key, 'v', 'PX', 10_000);
    expect(await client.get(key)).toBe('v');
    await client.unlink(key);
  });

  it('reports a Redis that does not answer as FG_REDIS_UNAVAILABLE within the timeout', async () => {
    const client = track(
      createRedisClient({ url: `redis://127.0.0.1:${await sparePort()}`, clusterNodes: undefined }),
    );
    const error = await connectRedis(client, 1500).catch((e: unknown) => e);
    expect(isFlowGuardError(error, 'FG_REDIS_UNAVAILABLE')).toBe(true);
  });
});

describe('Redis over TLS with a client certificate', () => {
  let certs: TestCertificates;
  let standalone: TestRedisServer;
  const clusterServers: TestRedisServer[] = [];
  const tlsArgs = () => [
    '--tls-cert-file',
    certs.serverCert,
    '--tls-key-file',
    certs.serverKey,
    '--tls-ca-cert-file',
    certs.ca,
    '--tls-auth-clients',
    'yes',
  ];
  beforeAll(async () => {
    certs = makeTestCertificates();
    const tls = {
      ca: readFileSync(certs.ca, 'utf8'),
      cert: readFileSync(certs.clientCert, 'utf8'),
      key: readFileSync(certs.clientKey, 'utf8'),
    };
    const port = await sparePort();
    standalone = await startRedisServer(['--port', '0', '--tls-port', String(port), ...tlsArgs()], {
      port,
      probe: { tls },
    });
    for (let i = 0; i < 3; i++) {
      const nodePort = await sparePort(true);
      clusterServers.push(
        await startRedisServer(
          [
            '--port',
            '0',
            '--tls-port',
            String(nodePort),
            '--tls-cluster',
            'yes',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${nodePort}.conf`,
            '--cluster-node-timeout',
            '2000',
            ...tlsArgs(),
          ],
          { port: nodePort, probe: { tls } },
        ),
      );
    }
    execFileSync(
      'redis-cli',
      [
        '--tls',
        '--cacert',
        certs.ca,
        '--cert',
        certs.clientCert,
        '--key',
        certs.clientKey,
        '--cluster',
        'create',
        ...clusterServers.map((s) => `127.0.0.1:${s.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { stdio: 'pipe' },
    );
  }, 60_000);
  afterAll(async () => {
    await Promise.all([standalone?.stop(), ...clusterServers.map((s) => s.stop())]);
    certs?.remove();
  });

  const tlsEnv = () => ({
    REDIS_TLS: 'true',
    REDIS_TLS_CA_FILE: certs.ca,
    REDIS_TLS_CERT_FILE: certs.clientCert,
    REDIS_TLS_KEY_FILE: certs.clientKey,
  });

  it('reads and writes on a TLS-only standalone Redis', async () => {
    const config = loadConfig({
      KAFKA_BROKERS: '127.0.0.1:1',
      REDIS_URL: `redis://127.0.0.1:${standalone.port}`,
      ...tlsEnv(),
    });
    const client = track(createRedisClient(config.redis));
    await connectRedis(client);
    await client.set('tls-key', 'over tls');
    expect(await client.get('tls-key')).toBe('over tls');
  });

  it('is refused without the client certificate', async () => {
    const config = loadConfig({
      KAFKA_BROKERS: '127.0.0.1:1',
      REDIS_URL: `redis://127.0.0.1:${standalone.port}`,
      REDIS_TLS: 'true',
      REDIS_TLS_CA_FILE: certs.ca,
    });
    const client = track(createRedisClient(config.redis));
    const error = await connectRedis(client, 3000).catch((e: unknown) => e);
    expect(isFlowGuardError(error, 'FG_REDIS_UNAVAILABLE')).toBe(true);
  });

  it('reaches every node of a TLS cluster', async () => {
    const nodes = clusterServers.map((s) => `127.0.0.1:${s.port}`);
    const config = loadConfig({
      KAFKA_BROKERS: '127.0.0.1:1',
      REDIS_CLUSTER_NODES: nodes.join(','),
      ...tlsEnv(),
    });
    const client = track(createRedisClient(config.redis)) as Cluster;
    await connectRedis(client);
    // Keys in enough slots to land on all three masters.
    const keys = Array.from({ length: 30 }, (_, i) => `tls-cluster-${i}`);
    for (const key of keys) await client.set(key, key);
    for (const key of keys) expect(await client.get(key)).toBe(key);
    const used = new Set(keys.map((key) => client.slots[calculateSlot(key)]?.[0]));
    expect(used.size).toBe(3);
  });
});
