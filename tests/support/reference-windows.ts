// A plain in-memory reference of a wallet's window features and hourly history, straight from the
// documented semantics over the list of sides applied (after de-duplication), to check the state layer.
import type { FeatureConfig } from '../../services/detector/src/config/feature-config.js';
import {
  isDonationLike,
  isPassingOn,
  type WalletSide,
} from '../../services/detector/src/domain/transaction.js';

const HOUR = 3_600_000;

export interface ReferenceWindow {
  name: string;
  lengthMs: number;
  startMs: number;
  endMs: number;
  inCount: number;
  inSum: number;
  inMax: number;
  donationCount: number;
  donationSum: number;
  smallDonationCount: number;
  purchaseCount: number;
  purchaseSum: number;
  nearThresholdCount: number;
  outCount: number;
  outSum: number;
  passOnCount: number;
  passOnSum: number;
  distinctPayers: number;
  newPayers: number;
  repeatPayers: number;
  distinctPayees: number;
}

/** Every configured window at the wallet's newest event, by the README's bucket semantics. */
export function referenceWindows(
  sides: WalletSide[],
  features: FeatureConfig,
): Record<string, ReferenceWindow> {
  const last = Math.max(...sides.map((s) => s.event.occurredAtMs));
  const out: Record<string, ReferenceWindow> = {};
  for (const w of features.windows) {
    const b = w.resolutionMs;
    const startIndex = Math.floor(last / b) - w.lengthMs / b + 1;
    const startMs = startIndex * b;
    const inside = sides.filter((s) => Math.floor(s.event.occurredAtMs / b) >= startIndex);
    const inbound = inside.filter((s) => s.direction === 'in');
    const outbound = inside.filter((s) => s.direction === 'out');
    const sum = (list: WalletSide[]) => list.reduce((total, s) => total + s.event.amount, 0);
    const donations = inbound.filter((s) => isDonationLike(s.event.type));
    const purchases = inbound.filter((s) => s.event.type === 'payment');
    const passOns = outbound.filter((s) => isPassingOn(s.event.type));
    const payers = partiesOf(sides, 'in');
    const payees = partiesOf(sides, 'out');
    out[w.name] = {
      name: w.name,
      lengthMs: w.lengthMs,
      startMs,
      endMs: startMs + w.lengthMs,
      inCount: inbound.length,
      inSum: sum(inbound),
      inMax: inbound.reduce((m, s) => Math.max(m, s.event.amount), 0),
      donationCount: donations.length,
      donationSum: sum(donations),
      smallDonationCount: donations.filter((s) => s.event.amount <= features.smallAmountMax).length,
      purchaseCount: purchases.length,
      purchaseSum: sum(purchases),
      nearThresholdCount: inbound.filter(
        (s) => s.event.amount >= features.nearThresholdFrom && s.event.amount < features.reportingThreshold,
      ).length,
      outCount: outbound.length,
      outSum: sum(outbound),
      passOnCount: passOns.length,
      passOnSum: sum(passOns),
      distinctPayers: [...payers.values()].filter((p) => p.last >= startMs).length,
      newPayers: [...payers.values()].filter((p) => p.first >= startMs).length,
      repeatPayers: [...payers.values()].filter((p) => p.last >= startMs && p.count > 1).length,
      distinctPayees: [...payees.values()].filter((p) => p.last >= startMs).length,
    };
  }
  return out;
}

/** Inbound counts, sums and donation counts of the `hours` complete hours before the newest event's hour. */
export function referenceHistory(sides: WalletSide[], features: FeatureConfig, hours: number) {
  const last = Math.max(...sides.map((s) => s.event.occurredAtMs));
  const endIndex = Math.floor(last / HOUR);
  // Hourly buckets are kept for the retention plus the newest event's own hour.
  const keptFrom = endIndex - features.hourlyRetentionMs / HOUR;
  const counts = new Array<number>(hours).fill(0);
  const sums = new Array<number>(hours).fill(0);
  const donationCounts = new Array<number>(hours).fill(0);
  for (const s of sides) {
    if (s.direction !== 'in') continue;
    const index = Math.floor(s.event.occurredAtMs / HOUR);
    const h = index - (endIndex - hours);
    if (index < keptFrom || h < 0 || h >= hours) continue;
    counts[h]! += 1;
    sums[h]! += s.event.amount;
    if (isDonationLike(s.event.type)) donationCounts[h]! += 1;
  }
  return { counts, sums, donationCounts, endHourMs: endIndex * HOUR };
}

function partiesOf(sides: WalletSide[], direction: 'in' | 'out') {
  const parties = new Map<string, { first: number; last: number; count: number }>();
  for (const s of sides) {
    if (s.direction !== direction) continue;
    const t = s.event.occurredAtMs;
    const p = parties.get(s.counterparty);
    if (!p) parties.set(s.counterparty, { first: t, last: t, count: 1 });
    else {
      p.first = Math.min(p.first, t);
      p.last = Math.max(p.last, t);
      p.count += 1;
    }
  }
  return parties;
}
