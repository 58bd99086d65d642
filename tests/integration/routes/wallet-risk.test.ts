// REST on the real pipeline: the risk view reflects consumed events; bad ids and bodies get 4xx reasons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaign, deposit, HOUR, MINUTE } from '../../support/events.js';
import { settle, startTestDetector, waitFor, type TestDetector } from '../../support/test-detector.js';

describe('GET /v1/wallets/:walletId/risk and POST /flags', () => {
  let t: TestDetector;
  const now = Date.now();

  beforeAll(async () => {
    t = await startTestDetector();
    await t.send([
      deposit('w-rest', now - 20 * MINUTE, { amount: '1200.00', fromRef: 'card-a' }),
      deposit('w-rest', now - 10 * MINUTE, { amount: '800.50', fromRef: 'card-b' }),
      deposit('w-rest', now - 5 * MINUTE, { amount: '10.00', currency: 'USD', fromRef: 'card-a' }),
      ...campaign('w-risky', now - 2 * HOUR, 40, MINUTE),
    ]);
    await t.caughtUp();
    await waitFor(() => t.alerts.records.length > 0);
  });
  afterAll(async () => t?.stop());

  it('reflects the consumed events in the features', async () => {
    const res = await t.detector.app.inject({ url: '/v1/wallets/w-rest/risk' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.score).toBe(0);
    expect(body.level).toBe('low');
    // 1,200.00 + 800.50 RUB + 10 USD at the default rate of 90 RUB: minor units of the base currency.
    expect(body.features.windows['1h']).toMatchObject({
      inCount: 3,
      inSum: 120000 + 80050 + 90000,
      distinctPayers: 2,
    });
    expect(body.features.lifetimeDistinctPayers).toBe(2);
  });

  it('shows the score, level, rules and last alerts of an alerted wallet', async () => {
    const res = await t.detector.app.inject({ url: '/v1/wallets/w-risky/risk' });
    const body = res.json();
    expect(body.score).toBeGreaterThanOrEqual(40);
    expect(['high', 'critical', 'medium']).toContain(body.level);
    expect(body.rules.map((r: { ruleId: string }) => r.ruleId)).toContain('young-wallet-fan-in');
    expect(body.recentAlerts[0].walletId).toBe('w-risky');
  });

  it('answers 404 for an unknown wallet and 400 with a reason for a malformed id', async () => {
    const unknown = await t.detector.app.inject({ url: '/v1/wallets/nobody-here/risk' });
    expect(unknown.statusCode).toBe(404);
    const bad = await t.detector.app.inject({ url: `/v1/wallets/${encodeURIComponent('bad id!')}/risk` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/walletId/);
    const long = await t.detector.app.inject({ url: `/v1/wallets/${'x'.repeat(200)}/risk` });
    expect(long.statusCode).toBe(400);
  });

  it('stores an analyst flag, and rejects a flag without a valid kind', async () => {
    const ok = await t.detector.app.inject({
      method: 'POST',
      url: '/v1/wallets/w-risky/flags',
      payload: { kind: 'blocked', analyst: 'a.ivanova', note: 'campaign on VK' },
    });
    expect(ok.statusCode).toBe(201);
    const risk = await t.detector.app.inject({ url: '/v1/wallets/w-risky/risk' });
    expect(risk.json().flags[0]).toMatchObject({ kind: 'blocked', analyst: 'a.ivanova' });
    const bad = await t.detector.app.inject({
      method: 'POST',
      url: '/v1/wallets/w-risky/flags',
      payload: { kind: 'maybe', analyst: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/kind/);
  });

  it('reports readiness of Kafka and Redis', async () => {
    await settle(200);
    const ready = await t.detector.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({ redis: true, kafka: true });
  });
});
