// The start-up durability check on real redis-servers: a durable one passes, one without AOF or with
// an evicting policy is refused with the setting and its fix named, the flag lets it start with a
// warning, every master of the cluster is read, and a user without CONFIG GET is told so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from 'pino';
import { isFlowGuardError } from '../../../services/detector/src/errors.js';
import {
  createRedisClient,
  type RedisClient,
} from '../../../services/detector/src/redis/redis-connection.js';
import { checkRedisDurability } from '../../../services/detector/src/redis/redis-durability.js';
import { adminRedis, redisAcl, requireEndpoint } from '../../support/clients.js';
import { startRedisServer, type TestRedisServer } from '../../support/redis-server.js';

function recordingLogger() {
  const warnings: { fields: Record<string, unknown>; message: string }[] = [];
  const logger = {
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
  } as unknown as Pick<Logger, 'warn'>;
  return { logger, warnings };
}

describe('Redis durability check', () => {
  let durable: TestRedisServer;
  let withoutAof: TestRedisServer;
  const clients: RedisClient[] = [];
  const client = (settings: Parameters<typeof createRedisClient>[0]) => {
    const c = createRedisClient(settings);
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    [durable, withoutAof] = await Promise.all([
      startRedisServer([
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--maxmemory-policy',
        'noeviction',
      ]),
      startRedisServer(['--appendonly', 'no']),
    ]);
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await Promise.all([durable?.stop(), withoutAof?.stop()]);
  });

  it('passes a Redis that writes an append-only file every second and never evicts', async () => {
    const { logger, warnings } = recordingLogger();
    const report = await checkRedisDurability(client({ url: durable.url, clusterNodes: undefined }), {
      acceptNonDurable: false,
      logger,
    });
    expect(report.problems).toEqual([]);
    expect(report.nodes).toEqual([
      {
        node: `127.0.0.1:${durable.port}`,
        appendonly: 'yes',
        appendfsync: 'everysec',
        maxmemoryPolicy: 'noeviction',
      },
    ]);
    expect(warnings).toEqual([]);
  });

  it('refuses a Redis without AOF, naming the setting, its fix and the way to accept the risk', async () => {
    const { logger } = recordingLogger();
    const check = checkRedisDurability(client({ url: withoutAof.url, clusterNodes: undefined }), {
      acceptNonDurable: false,
      logger,
    });
    await expect(check).rejects.toSatisfy((error) => isFlowGuardError(error, 'FG_REDIS_NOT_DURABLE'));
    await expect(check).rejects.toThrow(
      new RegExp(
        `127\\.0\\.0\\.1:${withoutAof.port}: appendonly is 'no', needs appendonly yes.*REDIS_ACCEPT_NON_DURABLE=true`,
      ),
    );
  });

  it('starts a Redis without AOF when the risk is accepted, and logs it', async () => {
    const { logger, warnings } = recordingLogger();
    const report = await checkRedisDurability(client({ url: withoutAof.url, clusterNodes: undefined }), {
      acceptNonDurable: true,
      logger,
    });
    expect(report.problems).toHaveLength(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/not durable.*REDIS_ACCEPT_NON_DURABLE=true/);
    expect(warnings[0]!.fields.problems).toEqual(report.problems);
  });

  it('refuses an evicting policy: every key has a TTL, so volatile-lru would evict live state', async () => {
    const admin = adminRedis({ host: '127.0.0.1', port: durable.port });
    await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
    try {
      const { logger } = recordingLogger();
      const check = checkRedisDurability(client({ url: durable.url, clusterNodes: undefined }), {
        acceptNonDurable: false,
        logger,
      });
      await expect(check).rejects.toThrow(
        /maxmemory-policy is 'volatile-lru', needs maxmemory-policy noeviction/,
      );
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    }
  });

  it('says which ACL rule is missing when the user may not run CONFIG GET', async () => {
    const admin = adminRedis({ host: '127.0.0.1', port: durable.port });
    await admin.call('ACL', 'SETUSER', 'no-config', 'on', '>secret-pw', '~*', '+@all', '-config');
    admin.disconnect();
    const settings = {
      url: durable.url,
      clusterNodes: undefined,
      username: 'no-config',
      password: 'secret-pw',
    };
    const { logger, warnings } = recordingLogger();
    const check = checkRedisDurability(client(settings), { acceptNonDurable: false, logger });
    await expect(check).rejects.toSatisfy((error) => isFlowGuardError(error, 'FG_REDIS_DURABILITY_UNKNOWN'));
    await expect(check).rejects.toThrow(
      /user 'no-config' may not run CONFIG GET.*ACL SETUSER no-config \+config\|get/,
    );

    await checkRedisDurability(client(settings), { acceptNonDurable: true, logger });
    expect(warnings[0]!.message).toMatch(/cannot be checked.*REDIS_ACCEPT_NON_DURABLE=true/);
  });

  it('reads every master of the cluster, as the suite connects to it', async () => {
    const acl = redisAcl();
    const cluster = client({
      url: undefined,
      clusterNodes: requireEndpoint('redisClusterNodes').split(','),
      ...(acl ? { username: acl.username, password: acl.password } : {}),
    });
    const { logger } = recordingLogger();
    const report = await checkRedisDurability(cluster, { acceptNonDurable: false, logger });
    expect(report.nodes.map((n) => n.node).sort()).toEqual(
      requireEndpoint('redisClusterNodes').split(',').sort(),
    );
    expect(report.problems).toEqual([]);
  });
});
