// Each default rule fires on its pattern and stays quiet on the nearest innocent pattern; while a
// wallet's own baseline is unknown (cold start) the rules still judge it on what needs no baseline.
import { describe, expect, it } from 'vitest';
import type { Finding, RuleOutcome } from '../../../../services/detector/src/rules/rule-types.js';
import { coldStart, DAY, features, history, HOUR, input, NOW, rule } from '../../../support/rule-fixtures.js';

const quietHistory = history(() => 0);
/** A wallet that takes ~25 small donations an hour by day, a few at night, every day for two weeks. */
const busyHistory = history((i) => (i % 24 >= 8 && i % 24 < 22 ? 25 : 3));

function evidenceOf(outcome: RuleOutcome, feature: string) {
  return (outcome as Finding).evidence.find((e) => e.feature === feature);
}

describe('crowdfunding-fan-in', () => {
  const r = rule('crowdfunding-fan-in');
  const campaign = { '6h': { inCount: 62, smallDonationCount: 60, distinctPayers: 58, inSum: 62 * 30000 } };

  it('fires on many small donations from many new, one-off payers into a wallet with no such history', () => {
    const finding = r.evaluate(input(features({ ageMs: 200 * DAY, windows: campaign }), 'in', quietHistory));
    expect(finding).toMatchObject({ ruleId: 'crowdfunding-fan-in', severity: 'high' });
    expect(evidenceOf(finding, 'distinctPayers')).toMatchObject({ value: 58, threshold: 50 });
    expect(evidenceOf(finding, 'oneOffPayerShare')).toMatchObject({ value: 1, threshold: 0.8 });
    expect(evidenceOf(finding, 'ratioToOwnBaseline')).toMatchObject({ value: 'no prior activity' });
  });

  it('stays quiet for a wallet that takes the same volume every day', () => {
    const f = features({
      ageMs: 900 * DAY,
      windows: { '6h': { inCount: 160, smallDonationCount: 150, distinctPayers: 140, inSum: 160 * 35000 } },
    });
    expect(r.evaluate(input(f, 'in', busyHistory))).toBeNull();
  });

  it('stays quiet for a birthday or gift collection of forty friends in an afternoon', () => {
    const friends = { '6h': { inCount: 40, smallDonationCount: 40, distinctPayers: 40, inSum: 40 * 70000 } };
    expect(r.evaluate(input(features({ ageMs: 2 * DAY, windows: friends }), 'in', quietHistory))).toBeNull();
  });

  it('stays quiet for a shop whose customers come back, even when they pay by transfer', () => {
    const regulars = {
      '6h': { inCount: 70, smallDonationCount: 65, distinctPayers: 60, repeatPayers: 25, inSum: 70 * 35000 },
    };
    expect(r.evaluate(input(features({ ageMs: 200 * DAY, windows: regulars }), 'in'))).toBeNull();
    // Mostly card purchases: the transfers among them are customers too.
    const shop = features({
      ageMs: 200 * DAY,
      windows: { '6h': { ...campaign['6h'], inCount: 300, purchaseCount: 238 } },
      lifetime: { inCount: 9000, purchaseCount: 8500 },
    });
    expect(r.evaluate(input(shop, 'in', quietHistory))).toBeNull();
  });

  it('judges a wallet opened days before FlowGuard started on its first day, without a baseline, and says so', () => {
    const f = features({ ageMs: 10 * DAY, windows: campaign });
    const finding = r.evaluate(coldStart(f, 'in', 3));
    expect(finding).toMatchObject({ ruleId: 'crowdfunding-fan-in' });
    // The window opened before FlowGuard did: none of the wallet's past before it was watched.
    expect(evidenceOf(finding, 'hoursWatched')).toMatchObject({ value: 0, threshold: 24, comparison: '<' });
    expect(evidenceOf(finding, 'coldStartWalletAgeHours')).toMatchObject({ value: 240, threshold: 720 });
    expect(evidenceOf(finding, 'ratioToOwnBaseline')).toBeUndefined();
    expect((finding as Finding).facts.baseline).toBe('unknown');
  });

  it('lets a wallet that has taken donations for years, or of unknown age, wait for a day of its own', () => {
    // A shop whose customers pay by transfer looks like this on FlowGuard's first day.
    expect(r.evaluate(coldStart(features({ ageMs: 900 * DAY, windows: campaign }), 'in', 3))).toBeNull();
    expect(r.evaluate(coldStart(features({ ageMs: null, windows: campaign }), 'in', 3))).toBeNull();
    // A day later its own normal decides: the same volume as yesterday is no campaign.
    const later = features({ ageMs: 900 * DAY, windows: campaign });
    expect(r.evaluate(input(later, 'in', busyHistory, { streamStartMs: NOW - 40 * HOUR }))).toBeNull();
  });

  it("keeps a new shop's first card purchases quiet on its first day (purchases are not donations)", () => {
    const f = features({
      ageMs: 2 * HOUR,
      windows: {
        '6h': { inCount: 80, donationCount: 0, smallDonationCount: 0, purchaseCount: 80, distinctPayers: 70 },
      },
    });
    const purchase = coldStart(f, 'in', 3);
    purchase.side!.event.type = 'payment';
    expect(r.evaluate(purchase)).toBeNull();
  });

  it('counts the hours FlowGuard watched a quiet wallet as its normal', () => {
    // The stream started 30 h ago, the campaign window 6 h ago: a day of watching, nothing received.
    const f = features({ ageMs: 10 * DAY, firstSeenAgoMs: 5 * HOUR, windows: campaign });
    const finding = r.evaluate(input(f, 'in', quietHistory, { streamStartMs: NOW - 30 * HOUR }));
    expect(evidenceOf(finding, 'hoursWatched')).toMatchObject({ value: 24, comparison: '>=' });
    expect(evidenceOf(finding, 'ratioToOwnBaseline')).toBeDefined();
  });

  it('only looks at donations coming in', () => {
    expect(r.evaluate(input(features({ windows: campaign }), 'out', quietHistory))).toBeNull();
  });
});

describe('slow-campaign-fan-in', () => {
  const r = rule('slow-campaign-fan-in');
  // A hundred card payers over a day: never 50 in any 6 h.
  const slow = {
    '6h': { inCount: 22, smallDonationCount: 22, distinctPayers: 22, inSum: 22 * 32000 },
    '24h': { inCount: 96, smallDonationCount: 94, distinctPayers: 95, inSum: 96 * 32000 },
  };

  it('fires on a hundred one-off donors over a day that the 6 h rule never sees', () => {
    const f = features({ ageMs: 10 * DAY, windows: slow });
    expect(rule('crowdfunding-fan-in').evaluate(input(f, 'in', quietHistory))).toBeNull();
    expect(r.evaluate(input(f, 'in', quietHistory))).toMatchObject({ ruleId: 'slow-campaign-fan-in' });
  });

  it('fires on the second day of a fresh deployment, on a wallet opened ten days earlier', () => {
    const f = features({ ageMs: 10 * DAY, windows: slow });
    expect(r.evaluate(coldStart(f, 'in', 30))).toMatchObject({ ruleId: 'slow-campaign-fan-in' });
  });

  it("stays quiet for a new café's customers paying by transfer over its first day", () => {
    const cafe = features({
      ageMs: 30 * HOUR,
      windows: { '24h': { ...slow['24h'], repeatPayers: 30 } },
    });
    expect(r.evaluate(coldStart(cafe, 'in', 30))).toBeNull();
  });

  it('stays quiet for a collection of forty friends over a day', () => {
    const friends = { '24h': { inCount: 40, smallDonationCount: 30, distinctPayers: 40, inSum: 40 * 80000 } };
    expect(r.evaluate(input(features({ ageMs: DAY, windows: friends }), 'in', quietHistory))).toBeNull();
  });
});

describe('young-wallet-fan-in', () => {
  const r = rule('young-wallet-fan-in');
  const week = { '7d': { inCount: 72, smallDonationCount: 70, distinctPayers: 70, inSum: 72 * 30000 } };

  it('fires when a wallet opened days ago has taken donations from fifty one-off payers', () => {
    const f = features({ ageMs: 3 * DAY, firstSeenAgoMs: 2 * DAY, windows: week });
    const finding = r.evaluate(input(f, 'in', quietHistory));
    expect(finding).toMatchObject({ ruleId: 'young-wallet-fan-in' });
    expect(evidenceOf(finding, 'walletAgeHours')).toMatchObject({ value: 72, threshold: 168 });
    expect(evidenceOf(finding, 'ownBaseline')).toMatchObject({ value: 'whole life watched' });
  });

  it('is never fired by youth alone: a gift collection, a new user topping up, an old wallet', () => {
    const gift = { '7d': { inCount: 38, smallDonationCount: 30, distinctPayers: 38, inSum: 38 * 70000 } };
    expect(r.evaluate(input(features({ ageMs: 5 * HOUR, windows: gift }), 'in'))).toBeNull();
    const topUps = { '7d': { inCount: 3, smallDonationCount: 1, distinctPayers: 2, inSum: 500000 } };
    expect(r.evaluate(input(features({ ageMs: 2 * HOUR, windows: topUps }), 'in'))).toBeNull();
    expect(r.evaluate(input(features({ ageMs: 300 * DAY, windows: week }), 'in', quietHistory))).toBeNull();
  });
});

describe('baseline-break', () => {
  const r = rule('baseline-break');
  const burst = { '1h': { inCount: 100, smallDonationCount: 100, distinctPayers: 92, inSum: 100 * 30000 } };

  it('fires when a quiet wallet suddenly takes a hundred donations in an hour', () => {
    const f = features({ ageMs: 300 * DAY, windows: burst });
    const finding = r.evaluate(
      input(
        f,
        'in',
        history((i) => (i % 50 === 0 ? 1 : 0)),
      ),
    );
    expect(finding).toMatchObject({ ruleId: 'baseline-break' });
    expect(evidenceOf(finding, 'donations')).toMatchObject({ value: 100, threshold: 50 });
  });

  it("stays quiet on a busy wallet's busy hour, and on a shop's purchases", () => {
    const f = features({
      ageMs: 900 * DAY,
      windows: { '1h': { inCount: 60, distinctPayers: 55, inSum: 60 * 30000 } },
    });
    expect(r.evaluate(input(f, 'in', busyHistory))).toBeNull();
    const shop = features({
      ageMs: 900 * DAY,
      windows: { '1h': { inCount: 100, donationCount: 0, purchaseCount: 100, distinctPayers: 90 } },
    });
    expect(r.evaluate(input(shop, 'in', quietHistory))).toBeNull();
  });

  it('abstains until FlowGuard has watched the wallet for three days', () => {
    const f = features({ ageMs: 300 * DAY, windows: burst });
    expect(r.evaluate(coldStart(f, 'in', 30))).toBeNull();
    // Watched quiet for ten days before its first event here: that quiet is its normal.
    const woken = features({ ageMs: 300 * DAY, firstSeenAgoMs: HOUR, windows: burst });
    expect(r.evaluate(input(woken, 'in', quietHistory, { streamStartMs: NOW - 10 * DAY }))).toMatchObject({
      ruleId: 'baseline-break',
    });
  });
});

describe('replacement-wallet', () => {
  const r = rule('replacement-wallet');
  it('fires when many of its payers also gave to a flagged wallet, naming it and the count', () => {
    const f = features({
      ageMs: 2 * DAY,
      payersHeld: 60,
      overlap: { walletId: 'w-blocked', sharedPayers: 35 },
    });
    expect(r.evaluate(input(f, 'in'))).toMatchObject({
      ruleId: 'replacement-wallet',
      relatedWallets: [expect.objectContaining({ walletId: 'w-blocked', sharedPayers: 35, payersHeld: 60 })],
    });
    // Also when the other wallet is flagged later and the overlap is counted then (no event).
    expect(r.evaluate({ ...input(f, 'in'), side: null })).toMatchObject({ ruleId: 'replacement-wallet' });
  });

  it('stays quiet on one or two shared payers, or a small share of a big wallet', () => {
    expect(
      r.evaluate(input(features({ payersHeld: 20, overlap: { walletId: 'w-b', sharedPayers: 2 } }), 'in')),
    ).toBeNull();
    expect(
      r.evaluate(input(features({ payersHeld: 900, overlap: { walletId: 'w-b', sharedPayers: 12 } }), 'in')),
    ).toBeNull();
  });

  it('never calls a shop a replacement wallet, and is not moved by a purchase', () => {
    const shop = features({
      payersHeld: 60,
      overlap: { walletId: 'w-b', sharedPayers: 30 },
      windows: { '24h': { inCount: 120, purchaseCount: 110, distinctPayers: 60 } },
    });
    expect(r.evaluate(input(shop, 'in'))).toBeNull();
    const f = features({ payersHeld: 60, overlap: { walletId: 'w-b', sharedPayers: 35 } });
    const purchase = input(f, 'in');
    purchase.side!.event.type = 'payment';
    expect(r.evaluate(purchase)).toBeNull();
  });
});

describe('pass-through', () => {
  const r = rule('pass-through');
  const mule = {
    '6h': { inCount: 9, inSum: 80_000_00, distinctPayers: 9, passOnSum: 74_000_00, passOnCount: 3 },
  };

  it('fires when most of the large sums several payers gave leave within hours', () => {
    const finding = r.evaluate(input(features({ ageMs: 20 * DAY, windows: mule }), 'out', quietHistory));
    expect(finding).toMatchObject({ ruleId: 'pass-through' });
    expect(evidenceOf(finding, 'meanGift')).toMatchObject({ value: 8888.89, threshold: 3000 });
  });

  it('fires on a mule opened days before FlowGuard started, on its first day, and says so', () => {
    const f = features({ ageMs: 6 * DAY, windows: mule });
    const finding = r.evaluate(coldStart(f, 'out', 5));
    expect(finding).toMatchObject({ ruleId: 'pass-through' });
    expect(evidenceOf(finding, 'hoursWatched')).toMatchObject({ comparison: '<' });
  });

  it('fires on a gift applied after the money was already passed on (the sides arrive on two partitions)', () => {
    const f = features({ ageMs: 20 * DAY, windows: mule });
    const gift = input(f, 'in', quietHistory);
    gift.side!.event.type = 'transfer';
    expect(r.evaluate(gift)).toMatchObject({ ruleId: 'pass-through' });
  });

  it('stays quiet for a user moving their own savings (their card and a top-up or two)', () => {
    const f = features({
      windows: { '6h': { inCount: 3, inSum: 60_000_00, distinctPayers: 3, passOnSum: 59_000_00 } },
    });
    expect(r.evaluate(input(f, 'out', quietHistory))).toBeNull();
  });

  it('stays quiet for a collection among friends sent on to the one it was for', () => {
    const f = features({
      ageMs: 2 * DAY,
      windows: { '6h': { inCount: 30, inSum: 21_000_00, distinctPayers: 30, passOnSum: 20_000_00 } },
    });
    expect(r.evaluate(coldStart(f, 'out', 5))).toBeNull();
  });

  it("lets an old wallet moving large sums wait for a day of its own on FlowGuard's first day", () => {
    expect(r.evaluate(coldStart(features({ ageMs: 900 * DAY, windows: mule }), 'out', 5))).toBeNull();
  });

  it('stays quiet for a shop paying out its takings, even on its first day under FlowGuard', () => {
    const f = features({
      ageMs: 10 * DAY,
      windows: {
        '6h': {
          inCount: 79,
          inSum: 32_000_00,
          donationSum: 0,
          purchaseCount: 79,
          distinctPayers: 79,
          passOnSum: 31_000_00,
        },
      },
    });
    expect(r.evaluate(coldStart(f, 'out', 5))).toBeNull();
  });

  it('stays quiet for a wallet that moves such sums every day once its normal is known', () => {
    const daily = history((i) => (i % 24 === 9 ? 9 : 0));
    // 9 gifts of ~8,900 RUB at nine every morning, sent on: the window is its usual day.
    const sums = { ...daily, sums: daily.counts.map((c) => c * 8_900_00) };
    expect(r.evaluate(input(features({ ageMs: 400 * DAY, windows: mule }), 'out', sums))).toBeNull();
  });

  it('does not count a purchase as passing money on', () => {
    const purchase = input(features({ ageMs: 20 * DAY, windows: mule }), 'out', quietHistory);
    purchase.side!.event.type = 'payment';
    expect(r.evaluate(purchase)).toBeNull();
  });
});

describe('layering', () => {
  const r = rule('layering');
  const hub = {
    '72h': {
      inCount: 8,
      inSum: 600_000_00,
      distinctPayers: 8,
      passOnSum: 540_000_00,
      passOnCount: 7,
      outCount: 7,
      distinctPayees: 7,
    },
  };

  it('fires when large sums from several senders leave to several receivers within days', () => {
    const finding = r.evaluate(input(features({ ageMs: 400 * DAY, windows: hub }), 'out', quietHistory));
    expect(finding).toMatchObject({ ruleId: 'layering', severity: 'high' });
    expect(evidenceOf(finding, 'receivers')).toMatchObject({ value: 7, threshold: 5 });
    expect(evidenceOf(finding, 'passedOnShareOfGiven')).toMatchObject({ value: 0.9, threshold: 0.7 });
  });

  it('stays quiet for payroll: one funder, many payees', () => {
    const payroll = {
      '72h': { ...hub['72h'], inCount: 1, distinctPayers: 1, distinctPayees: 35, passOnCount: 35 },
    };
    expect(r.evaluate(coldStart(features({ ageMs: 900 * DAY, windows: payroll }), 'out', 5))).toBeNull();
  });

  it('stays quiet for a shop, and for money passed on to only a couple of receivers', () => {
    const shop = { '72h': { ...hub['72h'], inCount: 900, purchaseCount: 890 } };
    expect(r.evaluate(coldStart(features({ ageMs: 900 * DAY, windows: shop }), 'out', 5))).toBeNull();
    const twoLegs = { '72h': { ...hub['72h'], passOnCount: 2, distinctPayees: 2 } };
    expect(
      r.evaluate(input(features({ ageMs: 400 * DAY, windows: twoLegs }), 'out', quietHistory)),
    ).toBeNull();
  });

  it('stays quiet for a business that moves such sums every week once its normal is known', () => {
    const steady = history(() => 1);
    const sums = { ...steady, sums: steady.counts.map(() => 900_000_00 / 72) };
    expect(r.evaluate(input(features({ ageMs: 900 * DAY, windows: hub }), 'out', sums))).toBeNull();
  });
});

describe('structuring', () => {
  const r = rule('structuring');
  it('fires on three deposits just below the threshold in a day', () => {
    expect(
      r.evaluate(input(features({ windows: { '24h': { nearThresholdCount: 3 } } }), 'in')),
    ).toMatchObject({
      ruleId: 'structuring',
    });
  });
  it('stays quiet on one such deposit', () => {
    expect(r.evaluate(input(features({ windows: { '24h': { nearThresholdCount: 1 } } }), 'in'))).toBeNull();
  });
});

describe('fan-out', () => {
  const r = rule('fan-out');
  it('fires when a wallet opened days ago pays many payees within hours', () => {
    const f = features({ ageMs: 3 * DAY, windows: { '6h': { distinctPayees: 25, outSum: 200_000_00 } } });
    expect(r.evaluate(input(f, 'out'))).toMatchObject({ ruleId: 'fan-out' });
  });

  it('does not call a wallet young without an opening time (it may be an old one woken up)', () => {
    const f = features({ ageMs: 8 * DAY, windows: { '6h': { distinctPayees: 25, outSum: 700_000_00 } } });
    f.state.openedAtMs = null;
    expect(r.evaluate({ ...input(f, 'out'), streamStartMs: f.state.firstSeenMs })).toBeNull();
    // An employer's wallet first seen after weeks of watching, paying its staff.
    f.state.firstSeenMs = NOW - HOUR;
    expect(r.evaluate({ ...input(f, 'out'), streamStartMs: NOW - 20 * DAY })).toBeNull();
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

describe('watchlist-mention', () => {
  const r = rule('watchlist-mention');
  function listed(seenAgoMs: number, expiresInMs = 90 * DAY) {
    const f = features({ ageMs: 20 * DAY });
    f.state.watch.entries.push({
      mentionId: 'm-1',
      source: 'vk.com/club1 post 7',
      url: 'https://vk.com/wall-1_7',
      seenAtMs: NOW - seenAgoMs,
      listedAtMs: NOW - seenAgoMs,
      expiresAtMs: NOW + expiresInMs,
    });
    return f;
  }

  it('fires on the first payment after the mention and cites the post, then not again', () => {
    const f = listed(HOUR);
    const finding = r.evaluate(input(f, 'in'));
    expect(finding).toMatchObject({
      ruleId: 'watchlist-mention',
      watchlist: [expect.objectContaining({ mentionId: 'm-1', source: 'vk.com/club1 post 7' })],
    });
    f.state.watch.alertedAtMs = NOW;
    expect(r.evaluate(input(f, 'in'))).toBeNull();
  });

  it('stays quiet past the listing end, and for a payment made before the post was seen', () => {
    expect(r.evaluate(input(listed(10 * DAY, -HOUR), 'in'))).toBeNull();
    const before = listed(-HOUR);
    expect(r.evaluate(input(before, 'in'))).toBeNull();
  });

  it('fires when the mention is applied after a payment made after it (no side)', () => {
    const f = listed(3 * HOUR);
    f.state.payers.set('ref:donor', { firstMs: NOW - HOUR, lastMs: NOW - HOUR, count: 1, sum: 50000 });
    const finding = r.evaluate({ ...input(f, 'in'), side: null });
    expect(finding).toMatchObject({ ruleId: 'watchlist-mention', window: { toMs: NOW - HOUR } });
    // Only payments before the post: nothing to cite yet.
    const early = listed(3 * HOUR);
    early.state.payers.set('ref:donor', {
      firstMs: NOW - 5 * HOUR,
      lastMs: NOW - 5 * HOUR,
      count: 1,
      sum: 1,
    });
    expect(r.evaluate({ ...input(early, 'in'), side: null })).toBeNull();
  });
});
