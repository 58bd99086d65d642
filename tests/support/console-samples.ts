// Alerts and wallet risk views as the detector and the API produce them (valid per schemas/alert.ts
// and schemas/wallet-risk.ts), for driving the console before the new pipeline lands. Each call takes
// a run id so wallets never collide between tests.
import { randomUUID } from 'node:crypto';
import type { Alert, RelatedWallet } from '../../schemas/alert.js';
import type { WalletStateRisk } from '../../schemas/wallet-risk.js';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function alertBase(
  walletId: string,
  nowMs: number,
): Pick<Alert, 'schemaVersion' | 'alertId' | 'walletId' | 'detectedAt' | 'eventTime' | 'sampleEventIds'> {
  return {
    schemaVersion: 1,
    alertId: `al-${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    walletId,
    detectedAt: iso(nowMs),
    eventTime: iso(nowMs - 2_000),
    sampleEventIds: [`ev-${randomUUID()}`],
  };
}

/** Many small donations from many payers into a day-old wallet: the crowdfunding shape. */
export function crowdfundingAlert(walletId: string, nowMs = Date.now()): Alert {
  return {
    ...alertBase(walletId, nowMs),
    rules: ['crowdfunding-fan-in', 'young-wallet-fan-in'],
    severity: 'high',
    score: 68,
    window: { from: iso(nowMs - 6 * HOUR), to: iso(nowMs) },
    evidence: [
      {
        rule: 'crowdfunding-fan-in',
        feature: 'smallDeposits',
        value: 212,
        threshold: 30,
        comparison: '>=',
        window: '6h',
      },
      {
        rule: 'crowdfunding-fan-in',
        feature: 'distinctPayers',
        value: 187,
        threshold: 25,
        comparison: '>=',
        window: '6h',
      },
      {
        rule: 'crowdfunding-fan-in',
        feature: 'inboundSum',
        value: 61480,
        threshold: 5000,
        comparison: '>=',
        window: '6h',
        unit: 'RUB',
      },
      {
        rule: 'crowdfunding-fan-in',
        feature: 'ratioToOwnBaseline',
        value: 88.3,
        threshold: 4,
        comparison: '>=',
        window: '6h',
      },
      { rule: 'crowdfunding-fan-in', feature: 'baselineInboundPerHour', value: 0.4, unit: 'deposits/hour' },
      {
        rule: 'young-wallet-fan-in',
        feature: 'walletAgeHours',
        value: 30,
        threshold: 168,
        comparison: '<=',
        unit: 'hours',
      },
    ],
    summary: `Wallet ${walletId} (opened 30 h ago) received 212 deposits totalling 61,480 RUB from 187 payers in the last 6 h; typical for it: 0.4 per hour.`,
  };
}

/** A new wallet most of whose payers also paid a wallet that was flagged: a replacement. */
export function replacementAlert(
  walletId: string,
  flagged: string,
  samplePayers: string[],
  nowMs = Date.now(),
): Alert {
  const related: RelatedWallet = {
    walletId: flagged,
    relation: 'shares-payers-with',
    sharedPayers: samplePayers.length + 6,
    payersHeld: samplePayers.length + 11,
    samplePayers,
  };
  const share = related.sharedPayers / related.payersHeld;
  return {
    ...alertBase(walletId, nowMs),
    rules: ['replacement-wallet'],
    severity: 'critical',
    score: 92,
    window: { from: iso(nowMs - 9 * HOUR), to: iso(nowMs) },
    evidence: [
      {
        rule: 'replacement-wallet',
        feature: 'sharedPayers',
        value: related.sharedPayers,
        threshold: 5,
        comparison: '>=',
      },
      {
        rule: 'replacement-wallet',
        feature: 'sharedPayerShare',
        value: Math.round(share * 1000) / 1000,
        threshold: 0.3,
        comparison: '>=',
      },
      { rule: 'replacement-wallet', feature: 'flaggedWallet', value: flagged },
      { rule: 'replacement-wallet', feature: 'payersHeld', value: related.payersHeld },
    ],
    summary: `Wallet ${walletId} (opened 9 h ago): ${related.sharedPayers} of its ${related.payersHeld} payers (${Math.round(share * 100)}%) also paid flagged wallet ${flagged}.`,
    relatedWalletIds: [flagged],
    relatedWallets: [related],
  };
}

/** Money in from many payers and out again within hours: a mule. */
export function passThroughAlert(walletId: string, nowMs = Date.now()): Alert {
  return {
    ...alertBase(walletId, nowMs),
    rules: ['pass-through'],
    severity: 'high',
    score: 57,
    window: { from: iso(nowMs - 4 * HOUR), to: iso(nowMs) },
    evidence: [
      {
        rule: 'pass-through',
        feature: 'inboundSum',
        value: 148200,
        threshold: 50000,
        comparison: '>=',
        window: '6h',
        unit: 'RUB',
      },
      {
        rule: 'pass-through',
        feature: 'outboundShareOfInbound',
        value: 0.94,
        threshold: 0.8,
        comparison: '>=',
        window: '6h',
      },
      {
        rule: 'pass-through',
        feature: 'distinctPayers',
        value: 31,
        threshold: 10,
        comparison: '>=',
        window: '6h',
      },
      {
        rule: 'pass-through',
        feature: 'inboundRatioToOwnBaseline',
        value: 22.5,
        threshold: 5,
        comparison: '>=',
        window: '6h',
      },
      { rule: 'pass-through', feature: 'outboundSum', value: 139300, unit: 'RUB', window: '6h' },
      { rule: 'pass-through', feature: 'outboundCount', value: 3, window: '6h' },
    ],
    summary: `Wallet ${walletId} (opened 41 days ago): 94% of the 148,200 RUB it received from 31 payers left again within 4 h.`,
  };
}

export interface RiskShape {
  /** Inbound payments per hour of the last hours (newest last); the rest of 72 h is the quiet baseline. */
  burst?: number[];
  ageHours?: number;
  overlaps?: { walletId: string; sharedPayers: number; samplePayers: string[] }[];
  level?: Alert['severity'];
  score?: number;
}

/** The wallet state's part of the risk view: 72 hours of timeline with a quiet baseline and a burst. */
export function walletRisk(walletId: string, shape: RiskShape = {}, nowMs = Date.now()): WalletStateRisk {
  const burst = shape.burst ?? [18, 31, 42, 45, 38, 40];
  const hours = 72;
  const start = Math.floor(nowMs / HOUR) * HOUR - (hours - 1) * HOUR;
  // A quiet wallet: a payment every few hours, in a repeatable pattern (no randomness in a test).
  const quiet = (i: number) => (i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0);
  const inbound = Array.from({ length: hours }, (_, i) =>
    i >= hours - burst.length ? burst[i - (hours - burst.length)]! : quiet(i),
  );
  const total = inbound.reduce((a, b) => a + b, 0);
  const ageHours = shape.ageHours ?? 30;
  return {
    walletId,
    score: shape.score ?? 68,
    level: shape.level ?? 'high',
    rules: [
      { ruleId: 'crowdfunding-fan-in', weight: 55, lastFiredAt: iso(nowMs - 60_000), contribution: 54.9 },
      { ruleId: 'young-wallet-fan-in', weight: 45, lastFiredAt: iso(nowMs - 60_000), contribution: 13.1 },
    ],
    features: {
      currency: 'RUB',
      openedAt: iso(nowMs - ageHours * HOUR),
      ageHours,
      firstSeen: iso(start),
      lastEvent: iso(nowMs - 30_000),
      lifetime: {
        inCount: total,
        inSum: total * 290,
        donationCount: total - 4,
        purchaseCount: 4,
        outCount: 1,
        outSum: 1500,
        payersEver: Math.round(total * 0.88),
      },
      windows: { '6h': { inCount: 214, smallInCount: 212, distinctPayers: 187, inSum: 61480 } },
    },
    timeline: {
      hours: inbound.map((count, i) => ({
        start: iso(start + i * HOUR),
        inbound: count,
        donations: count,
        purchases: 0,
        sum: count * 290,
      })),
      baseline: { meanPerHour: 0.6, medianPerHour: 0, madPerHour: 0.7, bandLow: 0, bandHigh: 2.1 },
    },
    replacement: { flaggedAt: null, overlaps: shape.overlaps ?? [] },
  };
}

/** Payer wallet ids for a run. */
export function payers(run: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `p-${run}-${String(i + 1).padStart(2, '0')}`);
}

/** Any other alert, from its parts (for a varied queue). */
export function otherAlert(
  walletId: string,
  parts: Pick<Alert, 'rules' | 'severity' | 'score' | 'summary' | 'evidence'>,
  nowMs = Date.now(),
): Alert {
  return { ...alertBase(walletId, nowMs), window: { from: iso(nowMs - 6 * HOUR), to: iso(nowMs) }, ...parts };
}
