// The alert decision: cool-down, escalation, analyst silences and the score — decided in memory and
// stored with the wallet, so it is atomic with the features it judges.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../services/detector/src/rules/rule-types.js';
import { decideAlert, type DecisionPolicy } from '../../../services/detector/src/scoring/alert-decision.js';
import { decayedScore, levelOf } from '../../../services/detector/src/scoring/score.js';
import { emptyWalletState, type ActiveFlag } from '../../../services/detector/src/state/wallet-state.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 1, 12);
const WALL = Date.UTC(2026, 10, 25, 12);
const policy: DecisionPolicy = {
  cooldownMs: 24 * HOUR,
  halfLifeMs: 72 * HOUR,
  levels: { medium: 25, high: 50, critical: 75 },
};

function finding(ruleId: string, severity: Finding['severity'], weight: number): Finding {
  return {
    ruleId,
    severity,
    weight,
    windowName: '6h',
    window: { fromMs: T0 - HOUR, toMs: T0 },
    evidence: [],
    facts: {},
  };
}

const fanIn = finding('crowdfunding-fan-in', 'high', 55);
const replacement = finding('replacement-wallet', 'critical', 80);

function alerting() {
  return emptyWalletState('w', 300_000).alerting;
}

describe('decideAlert', () => {
  it('alerts once, then stays quiet for the same rule within the cool-down', () => {
    const a = alerting();
    const first = decideAlert(a, [], [fanIn], T0, WALL, policy);
    expect(first).toMatchObject({
      kind: 'alert',
      rules: ['crowdfunding-fan-in'],
      severity: 'high',
      score: 55,
    });
    a.lastAlertId = 'al-1';
    expect(decideAlert(a, [], [fanIn], T0 + HOUR, WALL, policy)).toEqual({ kind: 'none' });
    const later = decideAlert(a, [], [fanIn], T0 + 25 * HOUR, WALL, policy);
    expect(later).toMatchObject({ kind: 'alert', previousAlertId: 'al-1' });
  });

  it('escalates at once on a new rule, with the higher severity and the earlier alert named', () => {
    const a = alerting();
    decideAlert(a, [], [fanIn], T0, WALL, policy);
    a.lastAlertId = 'al-1';
    const escalation = decideAlert(a, [], [fanIn, replacement], T0 + HOUR, WALL, policy);
    expect(escalation).toMatchObject({
      kind: 'alert',
      rules: ['crowdfunding-fan-in', 'replacement-wallet'],
      severity: 'critical',
      previousAlertId: 'al-1',
    });
    if (escalation.kind === 'alert') expect(escalation.score).toBe(100);
  });

  it('a silenced rule is recorded as suppressed once per cool-down, and never alerts', () => {
    const a = alerting();
    const silence: ActiveFlag = {
      flagId: 'fl-1',
      kind: 'false-positive',
      ruleId: 'crowdfunding-fan-in',
      createdAtMs: WALL - HOUR,
      expiresAtMs: WALL + 30 * 24 * HOUR,
    };
    expect(decideAlert(a, [silence], [fanIn], T0, WALL, policy)).toEqual({
      kind: 'suppressed',
      rules: ['crowdfunding-fan-in'],
      flagIds: ['fl-1'],
    });
    expect(decideAlert(a, [silence], [fanIn], T0 + HOUR, WALL, policy)).toEqual({ kind: 'none' });
    // The silence is for that rule only: the critical replacement rule still alerts.
    expect(decideAlert(a, [silence], [fanIn, replacement], T0 + 2 * HOUR, WALL, policy)).toMatchObject({
      kind: 'alert',
      rules: ['replacement-wallet'],
    });
  });

  it('an expired silence no longer holds', () => {
    const a = alerting();
    const expired: ActiveFlag = {
      flagId: 'fl-2',
      kind: 'false-positive',
      ruleId: null,
      createdAtMs: WALL - 40 * 24 * HOUR,
      expiresAtMs: WALL - HOUR,
    };
    expect(decideAlert(a, [expired], [fanIn], T0, WALL, policy)).toMatchObject({ kind: 'alert' });
  });

  it('confirmed and blocked flags silence nothing', () => {
    const a = alerting();
    const blocked: ActiveFlag = {
      flagId: 'fl-3',
      kind: 'blocked',
      ruleId: null,
      createdAtMs: WALL,
      expiresAtMs: null,
    };
    expect(decideAlert(a, [blocked], [fanIn], T0, WALL, policy)).toMatchObject({ kind: 'alert' });
  });
});

describe('score', () => {
  it('halves each rule every half-life and caps at 100, with levels from it', () => {
    expect(decayedScore([{ weight: 80, lastFiredMs: T0 }], T0 + 72 * HOUR, 72 * HOUR)).toBe(40);
    expect(
      decayedScore(
        [
          { weight: 80, lastFiredMs: T0 },
          { weight: 55, lastFiredMs: T0 },
        ],
        T0,
        72 * HOUR,
      ),
    ).toBe(100);
    expect(levelOf(40, policy.levels)).toBe('medium');
    expect(levelOf(75, policy.levels)).toBe('critical');
  });
});
