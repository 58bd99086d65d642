// Nothing analysts decided is lost with Redis: after the index keys are deleted (a wiped Redis, as far
// as this test's key prefix goes), the audit trail, the flags, the approval queue, the watchlist and
// the alert index come back, rebuilt from Kafka by a new consumer group. On a standalone Redis and on
// the Redis Cluster (the indexes' keys share hash tags, so their scripts and pipelines work there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../schemas/alert.js';
import { deleteAllKeys, eventually, startApiFixture, type ApiFixture } from '../../support/api-fixture.js';
import { sampleAlert } from '../../support/alert-sample.js';

describe.each([
  { redis: 'standalone', cluster: false },
  { redis: 'cluster', cluster: true },
])('on $redis Redis', ({ cluster }) => {
  let f: ApiFixture;

  beforeAll(async () => {
    f = await startApiFixture({ cluster });
  });

  afterAll(async () => {
    await f?.close();
  });

  async function get(url: string, role: Parameters<ApiFixture['auth']>[0] = 'all') {
    const response = await f.app.inject({ method: 'GET', url, headers: f.auth(role) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  async function post(
    url: string,
    role: Parameters<ApiFixture['auth']>[0],
    payload: unknown,
    method: 'POST' | 'DELETE' = 'POST',
  ) {
    const response = await f.app.inject({ method, url, headers: f.auth(role), payload: payload as object });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json();
  }

  async function views() {
    return {
      auditA: await get('/v1/audit?walletId=w-rb-a'),
      auditAll: await get('/v1/audit?limit=200'),
      flagsA: await get('/v1/wallets/w-rb-a/flags'),
      flagsB: await get('/v1/wallets/w-rb-b/flags'),
      queue: await get('/v1/flags?status=pending-approval'),
      watchlist: await get('/v1/watchlist'),
      alerts: await get('/v1/alerts?limit=200'),
    };
  }

  it('rebuilds the audit trail, flags, queue, watchlist and alerts from Kafka after Redis lost them', async () => {
    const pending = await post('/v1/wallets/w-rb-a/flags', 'maker', {
      kind: 'false-positive',
      reason: 'a school fundraiser',
    });
    await post(`/v1/flags/${pending.flagId}/approve`, 'checker', { reason: 'confirmed with the school' });
    const blocked = await post('/v1/wallets/w-rb-a/flags', 'maker', {
      kind: 'blocked',
      reason: 'campaign wallet',
    });
    await post(`/v1/flags/${blocked.flagId}/revoke`, 'checker2', { reason: 'wrong wallet' });
    await post('/v1/wallets/w-rb-b/flags', 'maker', {
      kind: 'false-positive',
      reason: 'waiting for a checker',
    });
    await post('/v1/watchlist', 'watcher', {
      walletId: 'w-rb-listed',
      source: 'post in a channel',
      url: 'https://example.org/p/9',
    });
    await post('/v1/watchlist', 'watcher', { walletId: 'w-rb-unlisted', source: 'older post' });
    await post('/v1/watchlist/w-rb-unlisted', 'watcher', { reason: 'post was a hoax' }, 'DELETE');
    const now = Date.now();
    await f.producer.send({
      topic: f.config.kafka.mentionsTopic,
      acks: -1,
      messages: [
        {
          key: 'w-rb-compliance',
          value: JSON.stringify({
            mentionId: 'cmp-1',
            walletId: 'w-rb-compliance',
            source: 'compliance feed',
            seenAt: new Date(now).toISOString(),
          }),
        },
      ],
    });
    const alerts: Alert[] = [
      sampleAlert('w-rb-listed', now, { watchlist: true }),
      sampleAlert('w-rb-a', now - 4000),
    ];
    await f.producer.send({
      topic: f.config.kafka.alertsTopic,
      acks: -1,
      messages: alerts.map((alert) => ({ key: alert.walletId, value: JSON.stringify(alert) })),
    });

    // Everything is in the index: what the routes wrote at once, and what the consumers read.
    const before = await eventually(async () => {
      const seen = await views();
      return (
        seen.alerts.alerts.length === 2 &&
        seen.watchlist.entries.length === 2 &&
        seen.auditAll.records.length === 8 &&
        seen
      );
    });
    expect(before.watchlist.entries.map((entry: { walletId: string }) => entry.walletId).sort()).toEqual([
      'w-rb-compliance',
      'w-rb-listed',
    ]);
    expect(
      before.watchlist.entries.find((entry: { walletId: string }) => entry.walletId === 'w-rb-listed').hits
        .count,
    ).toBe(1);
    expect(before.queue.flags).toHaveLength(1);
    const groupsBefore = (await get('/readyz', 'all')).checks.api;

    await deleteAllKeys(f.redis, `${f.config.redis.keyPrefix}:*`);
    // The trail is gone, unless the index's epoch check already noticed and a new group is reading
    // the topics again (it may run between the deletion and this read).
    const right = await get('/v1/audit?walletId=w-rb-a');
    const rebuilding = (await get('/readyz', 'all')).checks.api.auditIndex.rebuilds;
    expect(right.records.length === 0 || rebuilding === 1).toBe(true);

    // Seven routes a poll: polled at most once a second, a rebuild that takes most of the minute stays
    // within the principal's 600 requests a minute.
    const after = await eventually(
      async () => {
        const seen = await views();
        return JSON.stringify(seen) === JSON.stringify(before) && seen;
      },
      60_000,
      1_000,
    );
    expect(after.flagsA.flags.map((flag: { status: string }) => flag.status).sort()).toEqual([
      'active',
      'revoked',
    ]);
    const groupsAfter = (await get('/readyz', 'all')).checks.api;
    expect(groupsAfter.auditIndex.rebuilds).toBe(1);
    expect(groupsAfter.alertIndex.rebuilds).toBe(1);
    expect(groupsAfter.auditIndex.groupId).not.toBe(groupsBefore.auditIndex.groupId);
  });
});
