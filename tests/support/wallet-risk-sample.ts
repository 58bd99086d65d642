// A plausible WalletStateRisk (what the lead's riskOf returns from the wallet state), for API tests.
import type { WalletStateRisk } from '../../schemas/wallet-risk.js';

export function riskOfWallet(walletId: string, nowMs = Date.now()): WalletStateRisk {
  const hour = 3_600_000;
  const start = Math.floor(nowMs / hour) * hour - 47 * hour;
  return {
    walletId,
    score: 55,
    level: 'high',
    rules: [
      {
        ruleId: 'crowdfunding-fan-in',
        weight: 55,
        lastFiredAt: new Date(nowMs - hour).toISOString(),
        contribution: 54.5,
      },
    ],
    features: {
      currency: 'RUB',
      openedAt: new Date(nowMs - 30 * hour).toISOString(),
      ageHours: 30,
      firstSeen: new Date(start).toISOString(),
      lastEvent: new Date(nowMs - 60_000).toISOString(),
      lifetime: {
        inCount: 120,
        inSum: 36_000,
        donationCount: 118,
        purchaseCount: 2,
        outCount: 0,
        outSum: 0,
        payersEver: 110,
      },
      windows: { '6h': { inCount: 40, smallDonationCount: 38, distinctPayers: 37, inSum: 12_000 } },
    },
    timeline: {
      hours: Array.from({ length: 48 }, (_, i) => ({
        start: new Date(start + i * hour).toISOString(),
        inbound: i > 40 ? 12 : 1,
        donations: i > 40 ? 12 : 1,
        purchases: 0,
        sum: i > 40 ? 3600 : 300,
      })),
      baseline: { meanPerHour: 1, medianPerHour: 1, madPerHour: 0.5, bandLow: 0, bandHigh: 3 },
    },
    replacement: { flaggedAt: new Date(nowMs - hour).toISOString(), overlaps: [] },
  };
}
