// The main generator: a labelled, reproducible stream of e-wallet transactions — ordinary people and
// shops, the innocent look-alikes and the typologies FlowGuard must catch — in the warm or fresh mode.
import {
  addBirthdays,
  addCascadeTraps,
  addEstablishedMerchants,
  addGiftCollections,
  addNewMerchants,
  addNewUsers,
  addPayrolls,
  addSavingsMovers,
} from './main-look-alikes.js';
import {
  addCampaigns,
  addFanOuts,
  addLayering,
  addMules,
  addSlowCampaigns,
  addStructuring,
  addWatchlistedCampaigns,
} from './main-typologies.js';
import { MainWorld } from './main-world.js';
import { resolveScenarioOptions, type Scenario, type ScenarioOverrides } from './scenario-types.js';

export { messageKey } from './scenario-builder.js';
export * from './scenario-types.js';

export function generateScenario(overrides: ScenarioOverrides = {}): Scenario {
  const options = resolveScenarioOptions(overrides);
  const w = new MainWorld(options);
  const c = options.counts;
  addOrdinaryTraffic(w);
  addEstablishedMerchants(w, c.merchant);
  addCascadeTraps(w, c['cascade-trap']);
  addNewMerchants(w, c['new-merchant']);
  addBirthdays(w, c.birthday);
  addGiftCollections(w, c['gift-collection']);
  addNewUsers(w, c['new-user']);
  addPayrolls(w, c.payroll);
  addSavingsMovers(w, c.savings);
  addCampaigns(w, c.crowdfunding, c['replacement-wallet']);
  addSlowCampaigns(w, c['slow-campaign']);
  addMules(w, c['pass-through']);
  addStructuring(w, c.structuring);
  addFanOuts(w, c['fan-out']);
  const mentions = addWatchlistedCampaigns(w, c.watchlisted);
  addLayering(w, c.layering);
  return {
    generator: 'main',
    mode: options.mode,
    events: w.b.build(options.duplicateShare, options.reorderShare),
    labels: w.b.labels,
    mentions,
    streamStartMs: w.t.startMs,
    labelledFromMs: w.t.labelledFromMs,
    labelledToMs: w.t.endMs,
    suspiciousFromMs: w.t.suspiciousFromMs,
    ordinaryWallets: options.ordinaryWallets,
  };
}

/** Everyday life: top-ups from the person's card or a terminal, shop payments, transfers, withdrawals. */
function addOrdinaryTraffic(w: MainWorld): void {
  for (const { from, to, share } of w.days) {
    for (const p of w.people) {
      const rate = share * p.activity;
      const topUps = Math.min(2, w.rng.poisson(0.35 * rate));
      for (let i = 0; i < topUps; i++) {
        const own = w.rng.chance(0.75);
        const amount = w.rub(1500, 0.8, 100, 60_000);
        w.b.add(
          w.rhythm.time(from, to),
          'deposit',
          amount,
          own ? p.card : w.rng.pick(w.terminals),
          p,
          own ? 'card' : 'terminal',
        );
      }
      for (let i = w.rng.poisson(0.3 * rate); i > 0; i--) {
        w.b.add(w.rhythm.time(from, to), 'payment', w.rub(700, 0.9, 50), p, w.rng.pick(w.shops), 'app');
      }
      for (let i = w.rng.poisson(0.2 * rate); i > 0 && p.friends.length; i--) {
        w.b.add(w.rhythm.time(from, to), 'transfer', w.rub(800, 0.9, 50), p, w.rng.pick(p.friends), 'app');
      }
      if (w.rng.chance(0.06 * rate)) {
        w.b.add(w.rhythm.time(from, to), 'withdrawal', w.rub(3000, 0.7, 500), p, p.bank, 'app');
      }
    }
  }
}
