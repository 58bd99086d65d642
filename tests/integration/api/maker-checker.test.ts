// Maker-checker on analyst flags: silencing every rule of a wallet takes a second principal, every
// step is an audit record on the audit topic (committed before the answer) and shows in the views.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditRecordSchema, type AuditRecord } from '../../../schemas/audit-record.js';
import { DAY_MS } from '../../../services/detector/src/domain/time.js';
import { eventually, startApiFixture, type ApiFixture } from '../../support/api-fixture.js';
import { readTopic, type TopicReader } from '../../support/test-detector.js';
import { riskOfWallet } from '../../support/wallet-risk-sample.js';

let f: ApiFixture;
let audit: TopicReader;

beforeAll(async () => {
  f = await startApiFixture({ env: { FLAG_MAX_SILENCE: '7d' } });
  audit = await readTopic(f.kafka, f.config.kafka.auditTopic);
});

afterAll(async () => {
  await audit?.close();
  await f?.close();
});

function auditRecords(walletId: string): AuditRecord[] {
  return audit.records
    .filter((record) => record.key === walletId)
    .map((record) => AuditRecordSchema.parse(JSON.parse(record.value)));
}

async function requestSilenceAll(walletId: string, role: 'maker' | 'checker2') {
  const response = await f.app.inject({
    method: 'POST',
    url: `/v1/wallets/${walletId}/flags`,
    headers: f.auth(role),
    payload: { kind: 'false-positive', reason: 'a bakery taking card payments', createdBy: 'somebody-else' },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe('a false positive on every rule', () => {
  it('waits for another principal, who can approve it; the silence then expires, capped', async () => {
    const walletId = 'w-mc-bakery';
    const requested = await requestSilenceAll(walletId, 'checker2');
    expect(requested).toMatchObject({
      status: 'pending-approval',
      ruleId: null,
      createdBy: 'key:checker2',
      expiresAt: null,
    });

    const queue = await f.app.inject({
      method: 'GET',
      url: '/v1/flags?status=pending-approval',
      headers: f.auth('checker'),
    });
    expect(queue.json().flags.map((flag: { flagId: string }) => flag.flagId)).toContain(requested.flagId);

    const own = await f.app.inject({
      method: 'POST',
      url: `/v1/flags/${requested.flagId}/approve`,
      headers: f.auth('checker2'),
    });
    expect(own.statusCode, own.body).toBe(403);
    expect(own.json().code).toBe('FG_SELF_APPROVAL');

    const approved = await f.app.inject({
      method: 'POST',
      url: `/v1/flags/${requested.flagId}/approve`,
      headers: f.auth('checker'),
      payload: { reason: 'merchant contract on file' },
    });
    expect(approved.statusCode, approved.body).toBe(200);
    const flag = approved.json();
    expect(flag).toMatchObject({ status: 'active', approvedBy: 'key:checker', createdBy: 'key:checker2' });
    // The catalog says 30 days; FLAG_MAX_SILENCE caps it at 7.
    expect(Date.parse(flag.expiresAt) - Date.parse(flag.approvedAt)).toBe(7 * DAY_MS);

    const again = await f.app.inject({
      method: 'POST',
      url: `/v1/flags/${requested.flagId}/approve`,
      headers: f.auth('checker'),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('FG_FLAG_STATE');

    const records = await eventually(async () => {
      const found = auditRecords(walletId);
      return found.length === 2 && found;
    });
    expect(records.map((record) => record.action)).toEqual(['flag.requested', 'flag.approved']);
    expect(records[1]).toMatchObject({
      principal: { id: 'key:checker', kind: 'api-key' },
      reason: 'merchant contract on file',
      before: { status: 'pending-approval' },
      after: { status: 'active', approvedBy: 'key:checker' },
      flag: { flagId: requested.flagId, status: 'active' },
    });
    expect(records[1]!.requestId).toBe(approved.headers['x-request-id']);

    const flags = await f.app.inject({
      method: 'GET',
      url: `/v1/wallets/${walletId}/flags`,
      headers: f.auth('reader'),
    });
    expect(flags.json().flags).toEqual([
      expect.objectContaining({ flagId: requested.flagId, status: 'active', inForce: true }),
    ]);
    const queueAfter = await f.app.inject({ method: 'GET', url: '/v1/flags', headers: f.auth('checker') });
    expect(queueAfter.json().flags.map((each: { flagId: string }) => each.flagId)).not.toContain(
      requested.flagId,
    );

    f.knownWallets.set(walletId, riskOfWallet(walletId));
    const risk = await f.app.inject({
      method: 'GET',
      url: `/v1/wallets/${walletId}/risk`,
      headers: f.auth('reader'),
    });
    expect(risk.json().flags).toEqual([expect.objectContaining({ flagId: requested.flagId })]);

    const trail = await f.app.inject({
      method: 'GET',
      url: `/v1/audit?walletId=${walletId}`,
      headers: f.auth('reader'),
    });
    expect(trail.json().records.map((record: AuditRecord) => record.action)).toEqual([
      'flag.approved',
      'flag.requested',
    ]);
  });

  it('can be rejected by another principal, and is then out of the queue and never in force', async () => {
    const requested = await requestSilenceAll('w-mc-rejected', 'maker');
    const rejectedWithoutReason = await f.app.inject({
      method: 'POST',
      url: `/v1/flags/${requested.flagId}/reject`,
      headers: f.auth('checker'),
      payload: {},
    });
    expect(rejectedWithoutReason.statusCode).toBe(400);
    const rejected = await f.app.inject({
      method: 'POST',
      url: `/v1/flags/${requested.flagId}/reject`,
      headers: f.auth('checker'),
      payload: { reason: 'the payers are the campaign donors' },
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({ status: 'rejected' });
    const flags = await f.app.inject({
      method: 'GET',
      url: '/v1/wallets/w-mc-rejected/flags',
      headers: f.auth('reader'),
    });
    expect(flags.json().flags[0]).toMatchObject({ status: 'rejected', inForce: false });
    await eventually(async () =>
      auditRecords('w-mc-rejected').some((record) => record.action === 'flag.rejected'),
    );
  });

  it('lets exactly one of two simultaneous reviews through', async () => {
    const requested = await requestSilenceAll('w-mc-race', 'maker');
    const [a, b] = await Promise.all([
      f.app.inject({
        method: 'POST',
        url: `/v1/flags/${requested.flagId}/approve`,
        headers: f.auth('checker'),
      }),
      f.app.inject({
        method: 'POST',
        url: `/v1/flags/${requested.flagId}/reject`,
        headers: f.auth('checker2'),
        payload: { reason: 'not convinced' },
      }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const records = await eventually(async () => {
      const found = auditRecords('w-mc-race');
      return found.length >= 2 && found;
    });
    expect(records.filter((record) => record.action !== 'flag.requested')).toHaveLength(1);
  });
});

describe('flags in force at once', () => {
  it('a false positive on one rule of the catalog holds at once and expires; an unknown rule is refused', async () => {
    const unknown = await f.app.inject({
      method: 'POST',
      url: '/v1/wallets/w-mc-one-rule/flags',
      headers: f.auth('maker'),
      payload: { kind: 'false-positive', ruleId: 'no-such-rule', reason: 'a bakery' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'FG_UNKNOWN_RULE' });
    expect(unknown.json().detail).toContain('no-such-rule');

    const oneRule = await f.app.inject({
      method: 'POST',
      url: '/v1/wallets/w-mc-one-rule/flags',
      headers: f.auth('maker'),
      payload: { kind: 'false-positive', ruleId: 'baseline-break', reason: 'a bakery' },
    });
    expect(oneRule.statusCode).toBe(201);
    const flag = oneRule.json();
    expect(flag).toMatchObject({ status: 'active', ruleId: 'baseline-break', createdBy: 'key:maker' });
    expect(Date.parse(flag.expiresAt) - Date.parse(flag.createdAt)).toBe(7 * DAY_MS);
    const records = await eventually(async () => {
      const found = auditRecords('w-mc-one-rule');
      return found.length === 1 && found;
    });
    expect(records[0]).toMatchObject({
      action: 'flag.recorded',
      principal: { id: 'key:maker' },
      before: null,
    });
  });

  it('can be revoked with a reason, after which it no longer holds', async () => {
    const blocked = await f.app.inject({
      method: 'POST',
      url: '/v1/wallets/w-mc-blocked/flags',
      headers: f.auth('maker'),
      payload: { kind: 'blocked', reason: 'payment details in the fundraising post' },
    });
    expect(blocked.json()).toMatchObject({ status: 'active', expiresAt: null });
    const { flagId } = blocked.json();

    const noReason = await f.app.inject({
      method: 'POST',
      url: `/v1/flags/${flagId}/revoke`,
      headers: f.auth('maker'),
    });
    expect(noReason.statusCode).toBe(400);
    const revoked = await f.app.inject({
      method: 'POST',
      url: `/v1/flags/${flagId}/revoke`,
      headers: f.auth('checker2'),
      payload: { reason: 'wrong wallet: a typo in the post' },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ status: 'revoked', revokedBy: 'key:checker2' });
    const twice = await f.app.inject({
      method: 'POST',
      url: `/v1/flags/${flagId}/revoke`,
      headers: f.auth('maker'),
      payload: { reason: 'again' },
    });
    expect(twice.statusCode).toBe(409);

    const flags = await f.app.inject({
      method: 'GET',
      url: '/v1/wallets/w-mc-blocked/flags',
      headers: f.auth('reader'),
    });
    expect(flags.json().flags[0]).toMatchObject({ flagId, status: 'revoked', inForce: false });
    const records = await eventually(async () => {
      const found = auditRecords('w-mc-blocked');
      return found.length === 2 && found;
    });
    expect(records[1]).toMatchObject({
      action: 'flag.revoked',
      reason: 'wrong wallet: a typo in the post',
      before: { status: 'active' },
      after: { status: 'revoked' },
    });
  });

  it('answers 404 for a flag that does not exist', async () => {
    const response = await f.app.inject({
      method: 'POST',
      url: '/v1/flags/no-such-flag/revoke',
      headers: f.auth('maker'),
      payload: { reason: 'cleanup' },
    });
    expect(response.statusCode).toBe(404);
  });
});
