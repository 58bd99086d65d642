// REST on the real pipeline: the risk view reflects consumed events; bad ids and bodies get
// problem+json reasons; an analyst's flag shows with who made it.
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
      ...campaign('w-risky', now - 2 * HOUR, 60, MINUTE),
    ]);
    await t.caughtUp();
    await waitFor(() => t.alerts.records.length > 0);
  });
  afterAll(async () => t?.stop());

  it('reflects the consumed events in the features', async () => {
    const res = await t.api('/v1/wallets/w-rest/risk');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.score).toBe(0);
    expect(body.level).toBe('low');
    // 1,200.00 + 800.50 RUB + 10 USD at the default rate of 90 RUB, in the base currency's major units.
    expect(body.features.currency).toBe('RUB');
    expect(body.features.windows['1h']).toMatchObject({
      inCount: 3,
      inSum: 1200 + 800.5 + 900,
      distinctPayers: 2,
    });
    expect(body.features.lifetime.payersEver).toBe(2);
    // The three deposits lie within the last 20 minutes: in the current hour's bucket, or across it
    // and the one before when the clock has just passed the hour.
    const lastTwoHours = body.timeline.hours.slice(-2) as { inbound: number }[];
    expect(lastTwoHours.reduce((sum, hour) => sum + hour.inbound, 0)).toBe(3);
  });

  it('shows the score, level, rules and last alerts of an alerted wallet', async () => {
    const res = await t.api('/v1/wallets/w-risky/risk');
    const body = res.json();
    expect(body.score).toBeGreaterThanOrEqual(40);
    expect(['high', 'critical', 'medium']).toContain(body.level);
    expect(body.rules.map((r: { ruleId: string }) => r.ruleId)).toContain('young-wallet-fan-in');
    expect(body.recentAlerts[0].walletId).toBe('w-risky');
  });

  it('answers 404 for an unknown wallet and 400 with a reason for a malformed id', async () => {
    const unknown = await t.api('/v1/wallets/nobody-here/risk');
    expect(unknown.statusCode).toBe(404);
    const bad = await t.api(`/v1/wallets/${encodeURIComponent('bad id!')}/risk`);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.json().detail).toMatch(/walletId/);
    const long = await t.api(`/v1/wallets/${'x'.repeat(200)}/risk`);
    expect(long.statusCode).toBe(400);
  });

  it('records an analyst flag under the principal of the credential, and rejects a flag without a valid kind', async () => {
    const ok = await t.api('/v1/wallets/w-risky/flags', {
      method: 'POST',
      body: { kind: 'blocked', reason: 'campaign on VK, wallet reported by the platform' },
    });
    expect(ok.statusCode).toBe(201);
    await t.caughtUp();
    const risk = await t.api('/v1/wallets/w-risky/risk');
    expect(risk.json().flags[0]).toMatchObject({
      kind: 'blocked',
      createdBy: expect.stringMatching(/^key:/),
    });
    expect(risk.json().replacement.flaggedAt).not.toBeNull();
    const bad = await t.api('/v1/wallets/w-risky/flags', {
      method: 'POST',
      body: { kind: 'maybe', reason: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/kind/);
  });

  it('reports readiness of Kafka and Redis', async () => {
    await settle(200);
    const ready = await t.api('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toMatchObject({ redis: true, kafka: true });
  });
});
