// A rule's reachable() skips evaluate() for wallets whose lifetime and counterparties are below its
// thresholds. It may only skip what would find nothing: on streams shaped like each typology, around
// the default thresholds, a rule never fires where its bound says it cannot.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TransactionType, WalletSide } from '../../../../services/detector/src/domain/transaction.js';
import { evaluateRules } from '../../../../services/detector/src/rules/evaluate-rules.js';
import type { RuleInput } from '../../../../services/detector/src/rules/rule-types.js';
import { applySide, checkSide } from '../../../../services/detector/src/state/apply-side.js';
import { emptyWalletState, type WalletState } from '../../../../services/detector/src/state/wallet-state.js';
import { WalletView } from '../../../../services/detector/src/state/window-view.js';
import { sideOf } from '../../../support/wallet-sides.js';
import { config, defaultCatalog } from '../../../support/rule-fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 3, 1, 9, 0, 0);
const WALLET = 'w-under-test';
const features = config.features;
const RUB = 100;

const shape = fc.record({
  kind: fc.constantFrom('campaign', 'mule', 'payout', 'structuring', 'burst'),
  payers: fc.integer({ min: 1, max: 70 }),
  gifts: fc.integer({ min: 1, max: 90 }),
  giftRub: fc.integer({ min: 100, max: 30_000 }),
  giftSpanMinutes: fc.integer({ min: 10, max: 30 * 60 }),
  payees: fc.integer({ min: 1, max: 20 }),
  outs: fc.integer({ min: 0, max: 20 }),
  passedOnShare: fc.double({ min: 0, max: 1, noNaN: true }),
  purchaseEvery: fc.integer({ min: 0, max: 6 }),
  openedDaysAgo: fc.integer({ min: 1, max: 60 }),
});
type Shape = typeof shape extends fc.Arbitrary<infer S> ? S : never;

/** The wallet's sides in time order: a quiet past for "burst", then gifts, then money passed on. */
function sidesOf(s: Shape): WalletSide[] {
  const sides: WalletSide[] = [];
  const opened = T0 - s.openedDaysAgo * DAY;
  let n = 0;
  const gift = (atMs: number, payer: string, amount: number, type: TransactionType) => {
    n += 1;
    sides.push(
      sideOf(WALLET, {
        eventId: `e-${n}`,
        type,
        atMs,
        amount,
        from: payer,
        to: WALLET,
        toOpenedAtMs: opened,
        offset: n,
      }),
    );
  };
  if (s.kind === 'burst') {
    // Four quiet days watched: a donation every few hours from a handful of regulars.
    for (let t = T0 - 4 * DAY; t < T0 - HOUR; t += 3 * HOUR)
      gift(t, `ref:regular-${n % 4}`, 500 * RUB, 'deposit');
  }
  const span = s.kind === 'burst' ? 50 * MINUTE : s.giftSpanMinutes * MINUTE;
  for (let i = 0; i < s.gifts; i++) {
    const atMs = T0 + Math.floor((span * i) / s.gifts);
    const purchase = s.purchaseEvery > 0 && i % s.purchaseEvery === s.purchaseEvery - 1;
    const amount =
      s.kind === 'structuring'
        ? features.nearThresholdFrom +
          ((i * 7_919) % (features.reportingThreshold - features.nearThresholdFrom))
        : s.kind === 'campaign' || s.kind === 'burst'
          ? Math.min(s.giftRub, 1_000) * RUB
          : s.giftRub * RUB * 2;
    gift(atMs, `ref:payer-${i % s.payers}`, amount, purchase ? 'payment' : i % 3 ? 'deposit' : 'transfer');
  }
  const given = sides.reduce((sum, x) => sum + x.event.amount, 0);
  const outs = s.kind === 'payout' ? Math.max(s.outs, s.payees) : s.outs;
  for (let j = 0; j < outs; j++) {
    n += 1;
    const to = s.kind === 'payout' ? `w-payee-${j}` : `ref:bank-${j % s.payees}`;
    sides.push(
      sideOf(WALLET, {
        eventId: `e-${n}`,
        type: j % 2 ? 'withdrawal' : 'transfer',
        atMs: T0 + span + (j + 1) * MINUTE,
        amount: Math.max(1, Math.floor((given * s.passedOnShare) / Math.max(outs, 1))),
        from: WALLET,
        to,
        fromOpenedAtMs: opened,
        offset: n,
      }),
    );
  }
  return sides;
}

/** The rules' input right after `side` was applied to `state`, the stream watched for 30 days. */
function inputAfter(state: WalletState, side: WalletSide): RuleInput {
  return {
    wallet: new WalletView(state, features),
    side,
    atMs: side.event.occurredAtMs,
    featureConfig: features,
    streamStartMs: T0 - 30 * DAY,
  };
}

describe('reachable(): the bounds a rule is skipped by', () => {
  it('never skips a rule that would fire, on streams around every default threshold', () => {
    const bounded = defaultCatalog.rules.filter((r) => r.reachable);
    const fired = new Map<string, number>();
    const skipped = new Map<string, number>();
    fc.assert(
      fc.property(shape, (s) => {
        const state = emptyWalletState(WALLET, features.fineBucketMs);
        for (const side of sidesOf(s)) {
          if (checkSide(state, side) !== 'new') continue;
          applySide(state, side, features);
          const input = inputAfter(state, side);
          for (const rule of bounded) {
            const outcome = rule.evaluate(input);
            if (outcome) fired.set(rule.id, (fired.get(rule.id) ?? 0) + 1);
            if (rule.reachable!(state, features)) continue;
            skipped.set(rule.id, (skipped.get(rule.id) ?? 0) + 1);
            expect(outcome, `${rule.id} fired on a wallet its bound skips`).toBeNull();
          }
        }
      }),
      { numRuns: 300, seed: 20261126 },
    );
    // The property means something only if every bounded rule both fired and was skipped.
    for (const rule of bounded) {
      expect(fired.get(rule.id) ?? 0, `${rule.id} never fired`).toBeGreaterThan(0);
      expect(skipped.get(rule.id) ?? 0, `${rule.id} was never skipped`).toBeGreaterThan(0);
    }
  });

  it('pass-through: a mule whose largest gift is the minimum mean gift is evaluated, and fires', () => {
    // The bound says no window's mean gift exceeds the largest payment held: exact at the edge.
    const rule = defaultCatalog.rules.find((r) => r.id === 'pass-through')!;
    const run = (giftRub: number) => {
      const state = emptyWalletState(WALLET, features.fineBucketMs);
      let last: { reachable: boolean; fired: boolean } = { reachable: false, fired: false };
      const mule = { kind: 'mule', payers: 5, gifts: 5, giftRub, giftSpanMinutes: 60 } as const;
      const rest = { payees: 1, outs: 1, passedOnShare: 0.9, purchaseEvery: 0, openedDaysAgo: 1 };
      for (const side of sidesOf({ ...mule, ...rest })) {
        applySide(state, side, features);
        last = {
          reachable: rule.reachable!(state, features),
          fired: rule.evaluate(inputAfter(state, side)) !== null,
        };
      }
      return last;
    };
    // Gifts are giftRub × 2: 3,000 RUB each is the default minMeanInbound.
    expect(run(1_500)).toEqual({ reachable: true, fired: true });
    expect(run(1_499)).toEqual({ reachable: false, fired: false });
  });

  it('fan-in: a wallet whose lifetime is a shop is skipped before any window, the same crowd without purchases is not', () => {
    const rule = defaultCatalog.rules.find((r) => r.id === 'crowdfunding-fan-in')!;
    const reachableAfter = (purchaseEvery: number) => {
      const state = emptyWalletState(WALLET, features.fineBucketMs);
      const crowd = { kind: 'campaign', payers: 60, gifts: 60, giftRub: 300, giftSpanMinutes: 60 } as const;
      const rest = { payees: 1, outs: 0, passedOnShare: 0, purchaseEvery, openedDaysAgo: 1 };
      for (const side of sidesOf({ ...crowd, ...rest })) applySide(state, side, features);
      return rule.reachable!(state, features);
    };
    // Every 4th payment a purchase: 25% of the inflow, above maxPurchaseShare (0.2); 45 donations remain.
    expect(reachableAfter(4)).toBe(false);
    expect(reachableAfter(0)).toBe(true);
  });

  it('evaluateRules leaves a skipped rule out', () => {
    const state = emptyWalletState(WALLET, features.fineBucketMs);
    const side = sideOf(WALLET, { eventId: 'e-1', atMs: T0, from: 'ref:card-1', to: WALLET, offset: 1 });
    applySide(state, side, features);
    const input = inputAfter(state, side);
    let evaluated = 0;
    const catalog = {
      ...defaultCatalog,
      rules: [
        {
          ...defaultCatalog.rules[0]!,
          reachable: () => false,
          evaluate: () => {
            evaluated += 1;
            return null;
          },
        },
      ],
    };
    expect(evaluateRules(catalog, input)).toEqual([]);
    expect(evaluated).toBe(0);
  });
});
