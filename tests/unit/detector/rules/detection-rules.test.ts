// Each default rule fires on its pattern and stays quiet on the nearest innocent pattern.
import { describe, expect, it } from 'vitest';
import { DAY, HOUR, features, history, input, rule } from '../../../support/rule-fixtures.js';

const quietHistory = history(() => 0);
/** A merchant: ~25 small payments an hour by day, a few at night, every day for two weeks. */
const merchantHistory = history((i) => (i % 24 >= 8 && i % 24 < 22 ? 25 : 3));

describe('crowdfunding-fan-in', () => {
  const r = rule('crowdfunding-fan-in');
  const campaign = { '6h': { inCount: 45, smallDonationCount: 45, distinctPayers: 41, inSum: 45 * 30000 } };

  it('fires on many small deposits from many payers into a wallet with no such history', () => {
    const f = features({ ageMs: 200 * DAY, windows: campaign });
    const finding = r.evaluate(input(f, 'in', quietHistory));
    expect(finding).toMatchObject({ ruleId: 'crowdfunding-fan-in', severity: 'high' });
    const evidence = (finding as { evidence: { feature: string; value: unknown; threshold?: unknown }[] })
      .evidence;
    expect(evidence.find((e) => e.feature === 'distinctPayers')).toMatchObject({ value: 41, threshold: 25 });
  });

  it('stays quiet for an established merchant with the same volume every day', () => {
    const f = features({
      ageMs: 900 * DAY,
      windows: { '6h': { inCount: 160, smallDonationCount: 150, distinctPayers: 140, inSum: 160 * 35000 } },
    });
    expect(r.evaluate(input(f, 'in', merchantHistory))).toBeNull();
  });

  it('stays quiet for a birthday collection of 15 transfers', () => {
    const f = features({
      windows: { '6h': { inCount: 15, smallDonationCount: 15, distinctPayers: 15, inSum: 15 * 100000 } },
    });
    expect(r.evaluate(input(f, 'in', quietHistory))).toBeNull();
  });

  it('waits for a day of history of an old wallet FlowGuard has only just started to see', () => {
    const f = features({ ageMs: 900 * DAY, firstSeenAgoMs: 3 * HOUR, windows: campaign });
    const firstDay = { ...input(f, 'in', quietHistory), streamStartMs: f.state.firstSeenMs };
    expect(r.evaluate(firstDay)).toBeNull();
    // The same wallet silent for weeks while FlowGuard ran (a dormant wallet woken up) is judged.
    const dormant = { ...input(f, 'in', quietHistory), streamStartMs: f.state.firstSeenMs - 30 * DAY };
    expect(r.evaluate(dormant)).toMatchObject({ ruleId: 'crowdfunding-fan-in' });
  });

  it('only looks at money coming in', () => {
    expect(r.evaluate(input(features({ windows: campaign }), 'out', quietHistory))).toBeNull();
  });
});

describe('young-wallet-fan-in', () => {
  const r = rule('young-wallet-fan-in');
  const early = { '6h': { inCount: 22, smallDonationCount: 22, distinctPayers: 21, inSum: 22 * 30000 } };

  it('fires after about twenty donations to a wallet opened hours ago', () => {
    const f = features({ ageMs: 5 * HOUR, firstSeenAgoMs: HOUR, windows: early });
    expect(r.evaluate(input(f, 'in', quietHistory))).toMatchObject({ ruleId: 'young-wallet-fan-in' });
  });

  it('stays quiet for the same numbers on an old wallet and for a young birthday collection', () => {
    expect(r.evaluate(input(features({ ageMs: 300 * DAY, windows: early }), 'in', quietHistory))).toBeNull();
    const birthday = { '6h': { inCount: 15, smallDonationCount: 12, distinctPayers: 15, inSum: 15 * 80000 } };
    expect(r.evaluate(input(features({ ageMs: 3 * DAY, windows: birthday }), 'in', quietHistory))).toBeNull();
  });
});

describe('baseline-break', () => {
  const r = rule('baseline-break');
  it('fires when a quiet wallet suddenly takes a hundred payments in an hour', () => {
    const f = features({ ageMs: 300 * DAY, windows: { '1h': { inCount: 100, inSum: 100 * 30000 } } });
    const sparse = history((i) => (i % 50 === 0 ? 1 : 0));
    const finding = r.evaluate(input(f, 'in', sparse));
    expect(finding).toMatchObject({ ruleId: 'baseline-break' });
  });

  it("stays quiet on a merchant's busy hour", () => {
    const f = features({ ageMs: 900 * DAY, windows: { '1h': { inCount: 45, inSum: 45 * 30000 } } });
    expect(r.evaluate(input(f, 'in', merchantHistory))).toBeNull();
  });

  it('abstains without enough history of its own', () => {
    const f = features({ ageMs: DAY, firstSeenAgoMs: DAY, windows: { '1h': { inCount: 100 } } });
    expect(r.evaluate(input(f, 'in', quietHistory))).toBeNull();
  });
});

describe('replacement-wallet', () => {
  const r = rule('replacement-wallet');
  it('fires when many of its payers also paid a flagged wallet', () => {
    const f = features({
      ageMs: 2 * DAY,
      payersHeld: 60,
      overlap: { walletId: 'w-blocked', sharedPayers: 35 },
    });
    expect(r.evaluate(input(f, 'in'))).toMatchObject({
      ruleId: 'replacement-wallet',
      relatedWallets: [expect.objectContaining({ walletId: 'w-blocked', sharedPayers: 35, payersHeld: 60 })],
    });
  });

  it('stays quiet on one or two shared payers, or a small share of a big wallet', () => {
    expect(
      r.evaluate(input(features({ payersHeld: 20, overlap: { walletId: 'w-b', sharedPayers: 2 } }), 'in')),
    ).toBeNull();
    expect(
      r.evaluate(input(features({ payersHeld: 900, overlap: { walletId: 'w-b', sharedPayers: 12 } }), 'in')),
    ).toBeNull();
  });
});

describe('pass-through', () => {
  const r = rule('pass-through');
  const mule = { '6h': { inSum: 80_000_00, distinctPayers: 9, passOnSum: 74_000_00, passOnCount: 3 } };

  it('fires when most money from several payers leaves within hours', () => {
    const f = features({ ageMs: 20 * DAY, windows: mule });
    expect(r.evaluate(input(f, 'out', quietHistory))).toMatchObject({ ruleId: 'pass-through' });
  });

  it('stays quiet for a user moving their own savings (their card and a top-up or two)', () => {
    const f = features({
      windows: { '6h': { inSum: 60_000_00, distinctPayers: 3, outSum: 59_000_00, outCount: 1 } },
    });
    expect(r.evaluate(input(f, 'out', quietHistory))).toBeNull();
  });

  it('stays quiet for a merchant paying out takings that are its daily normal', () => {
    // ~5,400 RUB an hour of takings every day; 6 h of it (32,000) paid out with the morning's.
    const takings = history((i) => (i % 24 >= 8 && i % 24 < 22 ? 18 : 0));
    const f = features({
      ageMs: 900 * DAY,
      windows: { '6h': { inSum: 32_000_00, distinctPayers: 79, passOnSum: 108_000_00, passOnCount: 1 } },
    });
    expect(r.evaluate(input(f, 'out', takings))).toBeNull();
  });

  it("judges a wallet opened after FlowGuard started, even in FlowGuard's first days", () => {
    const f = features({ ageMs: 4 * DAY, firstSeenAgoMs: 3 * HOUR, windows: mule });
    const firstWeek = { ...input(f, 'out', quietHistory), streamStartMs: f.state.openedAtMs! - 3 * DAY };
    expect(r.evaluate(firstWeek)).toMatchObject({ ruleId: 'pass-through' });
    const olderThanFlowGuard = { ...input(f, 'out', quietHistory), streamStartMs: f.state.openedAtMs! + DAY };
    expect(r.evaluate(olderThanFlowGuard)).toBeNull();
  });

  it('does not count a purchase as passing money on', () => {
    const f = features({ ageMs: 20 * DAY, windows: mule });
    const purchase = input(f, 'out', quietHistory);
    purchase.side!.event.type = 'payment';
    expect(r.evaluate(purchase)).toBeNull();
  });
});

describe('structuring', () => {
  const r = rule('structuring');
  it('fires on three deposits just below the threshold in a day', () => {
    expect(
      r.evaluate(input(features({ windows: { '24h': { nearThresholdCount: 3 } } }), 'in')),
    ).toMatchObject({ ruleId: 'structuring' });
  });
  it('stays quiet on one such deposit', () => {
    expect(r.evaluate(input(features({ windows: { '24h': { nearThresholdCount: 1 } } }), 'in'))).toBeNull();
  });
});

describe('fan-out', () => {
  const r = rule('fan-out');
  it('fires when a young wallet pays many payees within hours', () => {
    const f = features({ ageMs: 3 * DAY, windows: { '6h': { distinctPayees: 25, outSum: 200_000_00 } } });
    expect(r.evaluate(input(f, 'out'))).toMatchObject({ ruleId: 'fan-out' });
  });
  it('does not call a wallet young when FlowGuard has only just started and no opening time is known', () => {
    const f = features({ ageMs: 8 * DAY, windows: { '6h': { distinctPayees: 25, outSum: 700_000_00 } } });
    f.state.openedAtMs = null;
    const justStarted = { ...input(f, 'out'), streamStartMs: f.state.firstSeenMs };
    expect(r.evaluate(justStarted)).toBeNull();
  });

  it('stays quiet for payroll from an established employer funded by its owner', () => {
    const f = features({
      ageMs: 1500 * DAY,
      windows: {
        '6h': { distinctPayees: 35, outSum: 2_000_000_00 },
        '24h': { distinctPayers: 1, distinctPayees: 35 },
      },
    });
    expect(r.evaluate(input(f, 'out'))).toBeNull();
  });
});
