// The open routes and what every answer carries: readiness with its reasons, metrics, the security
// headers a same-origin console needs, and CORS only for configured origins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteAllKeys, eventually, startApiFixture, type ApiFixture } from '../../support/api-fixture.js';
import { createTopicsAndWait } from '../../../services/detector/src/kafka/topics.js';

let f: ApiFixture;

beforeAll(async () => {
  f = await startApiFixture();
});

afterAll(async () => {
  await f?.close();
});

describe('probes', () => {
  it('/healthz and /readyz need no credential; /readyz answers 503 with the reasons when not ready', async () => {
    expect((await f.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await f.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.api.auditIndex.state).toBe('running');

    f.readiness.value = {
      ready: false,
      reasons: ['partition 1 of t.in stalled for 31s'],
      checks: { stalled: [1] },
    };
    const notReady = await f.app.inject({ method: 'GET', url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({
      ready: false,
      reasons: ['partition 1 of t.in stalled for 31s'],
      checks: { stalled: [1] },
    });
    f.readiness.value = { ready: true, reasons: [], checks: {} };
  });

  it('/metrics serves Prometheus text, including the API counters', async () => {
    await f.app.inject({ method: 'GET', url: '/v1/audit' });
    const metrics = await f.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toMatch(/flowguard_api_auth_refused_total\{reason="no-credential"\} [1-9]/);
  });
});

describe('topics that do not exist yet', () => {
  it('are waited for: the app starts, says so in /readyz, and indexes them once they exist', async () => {
    const names = {
      AUDIT_TOPIC: `${f.config.kafka.auditTopic}-late`,
      MENTIONS_TOPIC: `${f.config.kafka.mentionsTopic}-late`,
    };
    const topics = { ...names, ALERTS_TOPIC: `${f.config.kafka.alertsTopic}-late` };
    const late = await f.rebuild({ ...topics, REDIS_KEY_PREFIX: `${f.config.redis.keyPrefix}late` });
    try {
      const waiting = (await late.inject({ method: 'GET', url: '/readyz' })).json().checks.api;
      expect(waiting.auditIndex.state).toBe('waiting-for-topics');
      expect(waiting.alertStream.live).toBe(false);
      await createTopicsAndWait(
        f.admin,
        Object.values(topics).map((topic) => ({ topic, numPartitions: 1 })),
      );
      await f.producer.send({
        topic: names.MENTIONS_TOPIC,
        acks: -1,
        messages: [
          {
            key: 'w-late',
            value: JSON.stringify({
              mentionId: 'late-1',
              walletId: 'w-late',
              source: 'feed',
              seenAt: new Date().toISOString(),
            }),
          },
        ],
      });
      const listed = await eventually(async () => {
        const response = await late.inject({
          method: 'GET',
          url: '/v1/watchlist',
          headers: f.auth('reader'),
        });
        return response.json().entries.length === 1 && response.json().entries;
      }, 30_000);
      expect(listed[0].walletId).toBe('w-late');
      await eventually(
        async () => (await late.inject({ method: 'GET', url: '/readyz' })).json().checks.api.alertStream.live,
        30_000,
      );
    } finally {
      await late.close();
      await f.admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await deleteAllKeys(f.redis, `${f.config.redis.keyPrefix}late:*`);
    }
  });
});

describe('headers', () => {
  it('carry a content security policy that allows only same-origin scripts and styles', async () => {
    const response = await f.app.inject({ method: 'GET', url: '/healthz' });
    const csp = response.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('grant no cross-origin access unless CORS_ORIGINS names the origin', async () => {
    const preflight = {
      method: 'OPTIONS' as const,
      url: '/v1/alerts',
      headers: { origin: 'https://console.example.org', 'access-control-request-method': 'GET' },
    };
    const off = await f.app.inject(preflight);
    expect(off.headers['access-control-allow-origin']).toBeUndefined();

    const withCors = await f.rebuild({ CORS_ORIGINS: 'https://console.example.org' });
    const allowed = await withCors.inject(preflight);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://console.example.org');
    const other = await withCors.inject({
      ...preflight,
      headers: { ...preflight.headers, origin: 'https://evil.example.net' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
