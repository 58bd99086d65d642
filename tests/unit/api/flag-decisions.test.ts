// Maker-checker as pure functions: who may do what to a flag, and the audit record each step writes.
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../services/detector/src/domain/time.js';
import {
  approveFlag,
  flagActionRank,
  flagInForce,
  rejectFlag,
  requestFlag,
  revokeFlag,
  type DecisionContext,
} from '../../../services/detector/src/api/decisions/flag-decisions.js';
import { ApiProblem } from '../../../services/detector/src/api/problems.js';
import type { RuleCatalog } from '../../../services/detector/src/rules/rule-catalog.js';

const catalog = {
  rules: [{ id: 'crowdfunding-fan-in' }, { id: 'replacement-wallet' }],
  alerting: { falsePositiveSilenceMs: 30 * DAY_MS },
} as unknown as RuleCatalog;
const T = Date.UTC(2026, 10, 20, 10, 0, 0);
let ids = 0;

function as(principal: string, nowMs = T): DecisionContext {
  return {
    principal: { id: principal, kind: 'api-key' },
    requestId: `req-${principal}`,
    nowMs,
    newId: () => `id-${++ids}`,
  };
}

function problemCode(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiProblem) return error.code;
    throw error;
  }
  return 'none';
}

describe('requesting a flag', () => {
  it('puts a false positive on every rule in the approval queue, with no silence yet', () => {
    const { flag, record } = requestFlag(
      'w-1',
      { kind: 'false-positive', reason: 'bakery' },
      catalog,
      90 * DAY_MS,
      as('key:maker'),
    );
    expect(flag).toMatchObject({
      status: 'pending-approval',
      ruleId: null,
      createdBy: 'key:maker',
      expiresAt: null,
    });
    expect(record).toMatchObject({
      action: 'flag.requested',
      walletId: 'w-1',
      before: null,
      after: flag,
      requestId: 'req-key:maker',
    });
    expect(flagInForce(flag, T)).toBe(false);
  });

  it('puts a false positive on one rule in force at once, for the capped silence', () => {
    const { flag, record } = requestFlag(
      'w-1',
      { kind: 'false-positive', ruleId: 'crowdfunding-fan-in', reason: 'bakery' },
      catalog,
      7 * DAY_MS,
      as('key:maker'),
    );
    expect(record.action).toBe('flag.recorded');
    expect(flag.expiresAt).toBe(new Date(T + 7 * DAY_MS).toISOString());
    expect(flagInForce(flag, T + 7 * DAY_MS - 1)).toBe(true);
    expect(flagInForce(flag, T + 7 * DAY_MS)).toBe(false);
  });

  it('holds confirmed and blocked flags until revoked, and refuses a rule the catalog does not have', () => {
    const { flag } = requestFlag(
      'w-1',
      { kind: 'blocked', reason: 'campaign' },
      catalog,
      DAY_MS,
      as('key:maker'),
    );
    expect(flag).toMatchObject({ status: 'active', expiresAt: null });
    expect(flagInForce(flag, T + 365 * DAY_MS)).toBe(true);
    expect(
      problemCode(() =>
        requestFlag(
          'w-1',
          { kind: 'false-positive', ruleId: 'gone-rule', reason: 'x y z' },
          catalog,
          DAY_MS,
          as('a'),
        ),
      ),
    ).toBe('FG_UNKNOWN_RULE');
  });
});

describe('reviewing a request', () => {
  const pending = requestFlag(
    'w-2',
    { kind: 'false-positive', reason: 'school' },
    catalog,
    90 * DAY_MS,
    as('key:maker'),
  ).flag;

  it('is refused to the principal who made it', () => {
    expect(problemCode(() => approveFlag(pending, undefined, catalog, 90 * DAY_MS, as('key:maker')))).toBe(
      'FG_SELF_APPROVAL',
    );
    expect(problemCode(() => rejectFlag(pending, 'no', as('key:maker')))).toBe('FG_SELF_APPROVAL');
  });

  it('by another principal starts the silence at approval, capped by the catalog', () => {
    const later = T + DAY_MS;
    const { flag, record } = approveFlag(pending, 'ok', catalog, 90 * DAY_MS, as('key:checker', later));
    expect(flag).toMatchObject({
      status: 'active',
      approvedBy: 'key:checker',
      approvedAt: new Date(later).toISOString(),
    });
    expect(flag.expiresAt).toBe(new Date(later + 30 * DAY_MS).toISOString());
    expect(record).toMatchObject({ action: 'flag.approved', before: pending, after: flag, reason: 'ok' });
    expect(problemCode(() => approveFlag(flag, undefined, catalog, DAY_MS, as('key:third')))).toBe(
      'FG_FLAG_STATE',
    );
  });

  it('can reject, after which it can be neither approved nor revoked', () => {
    const { flag } = rejectFlag(pending, 'payers are donors', as('key:checker'));
    expect(flag.status).toBe('rejected');
    expect(problemCode(() => approveFlag(flag, undefined, catalog, DAY_MS, as('key:third')))).toBe(
      'FG_FLAG_STATE',
    );
    expect(problemCode(() => revokeFlag(flag, 'x', as('key:third')))).toBe('FG_FLAG_STATE');
  });
});

describe('revoking', () => {
  it('withdraws an active flag or a pending request once', () => {
    const active = requestFlag(
      'w-3',
      { kind: 'confirmed', reason: 'campaign' },
      catalog,
      DAY_MS,
      as('key:maker'),
    ).flag;
    const { flag, record } = revokeFlag(active, 'typo', as('key:maker'));
    expect(flag).toMatchObject({ status: 'revoked', revokedBy: 'key:maker' });
    expect(record).toMatchObject({ action: 'flag.revoked', reason: 'typo', before: { status: 'active' } });
    expect(problemCode(() => revokeFlag(flag, 'again', as('key:maker')))).toBe('FG_FLAG_STATE');
  });

  it('ranks every action so an index keeps the furthest state in any arrival order', () => {
    expect(flagActionRank('flag.requested')).toBeLessThan(flagActionRank('flag.approved'));
    expect(flagActionRank('flag.recorded')).toBeLessThan(flagActionRank('flag.revoked'));
    expect(flagActionRank('flag.rejected')).toBeLessThan(flagActionRank('flag.revoked'));
    expect(flagActionRank('watchlist.added')).toBe(0);
  });
});
