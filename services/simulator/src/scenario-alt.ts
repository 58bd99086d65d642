// The alternative generator: the same typology labels and modes as scenario.ts from a world shaped
// independently (alt-world.ts), so the evaluation also runs on streams the main simulator did not shape.
import {
  addBirthdays,
  addChainStores,
  addDormitories,
  addEverydayTraffic,
  addGiftCollections,
  addKiosks,
  addNewUsers,
  addPayrolls,
  addSavingsMovers,
} from './alt-look-alikes.js';
import {
  addCampaigns,
  addFanOuts,
  addLayering,
  addMules,
  addSlowCampaigns,
  addStructuring,
  addWatchlistedCampaigns,
} from './alt-typologies.js';
import { AltWorld } from './alt-world.js';
import { resolveScenarioOptions, type Scenario, type ScenarioOverrides } from './scenario-types.js';

export function generateAltScenario(overrides: ScenarioOverrides = {}): Scenario {
  const options = resolveScenarioOptions(overrides);
  const w = new AltWorld(options);
  const c = options.counts;
  addEverydayTraffic(w);
  addChainStores(w, c.merchant);
  addDormitories(w, c['cascade-trap']);
  addKiosks(w, c['new-merchant']);
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
    generator: 'alt',
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
