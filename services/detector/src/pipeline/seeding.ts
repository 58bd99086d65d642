// Who becomes a source of "donors" for the replacement-wallet rule, and with what weight. One false
// alert must never fan out: only strong, non-merchant evidence or an analyst's decision seeds; a
// wallet with a very large payer set contributes a capped, weighted share; and a wallet's payers weigh
// in proportion to how much of what it received was given rather than bought (a shop's customers are
// not donors, even when an analyst flags the shop).
import { donationShape, merchantLike } from '../rules/donation-shape.js';
import type { Finding } from '../rules/rule-types.js';
import type { DonorIndex, DonorLink } from '../state/donor-index.js';
import type { RuleCatalog } from '../rules/rule-catalog.js';
import type { WalletView } from '../state/window-view.js';
import type { OverlapEntry, WalletState } from '../state/wallet-state.js';

export interface SeedingPolicy {
  /** Rules whose alert may seed (the catalog's alerting.seedsReplacementIndex). */
  rules: ReadonlySet<string>;
  /** The window the evidence is judged over. */
  window: string;
  minPayers: number;
  /** Payers new to the wallet in the window, as a share of its payers there: donors are new, customers return. */
  minNewPayerShare: number;
  /** Payers who paid the wallet only once, as a share of its payers in the window: donors give once. */
  minOneOffShare: number;
  /** Inbound purchases as a share of inbound payments: above it the wallet is merchant-like and never seeds. */
  maxPurchaseShare: number;
  /** Up to this many payers count fully; beyond, every donor's weight shrinks so the total stays this. */
  fullWeightPayers: number;
  /** At most this many (the most recent) payers are seeded. */
  maxDonors: number;
  /** A payer who gave to more wallets than this recently counts for this many, spread over all of them. */
  personalSpread: number;
  /** A gift to another wallet counts toward the overlap from this long before the flag on. */
  overlapLeadMs: number;
  donorMemoryMs: number;
}

export function seedingPolicyOf(catalog: RuleCatalog): SeedingPolicy {
  const s = catalog.alerting.seeding;
  return {
    rules: new Set(catalog.alerting.seedsReplacementIndex),
    window: s.window,
    minPayers: s.minPayers,
    minNewPayerShare: s.minNewPayerShare,
    minOneOffShare: s.minOneOffShare,
    maxPurchaseShare: s.maxPurchaseShare,
    fullWeightPayers: s.fullWeightPayers,
    maxDonors: s.maxDonors,
    personalSpread: s.personalSpread,
    overlapLeadMs: s.overlapLead.ms,
    donorMemoryMs: catalog.alerting.donorMemoryMs,
  };
}

/** True when an alert with these findings is strong, campaign-shaped evidence that may seed donors. */
export function alertSeeds(findings: Finding[], view: WalletView, policy: SeedingPolicy): boolean {
  if (!findings.some((f) => policy.rules.has(f.ruleId))) return false;
  return campaignShaped(view, policy);
}

/** Many payers, mostly new to the wallet and paying once, and donations rather than purchases. */
export function campaignShaped(view: WalletView, policy: SeedingPolicy): boolean {
  const shape = donationShape(view, view.window(policy.window));
  if (shape.payers < policy.minPayers) return false;
  if (shape.newPayerShare < policy.minNewPayerShare || shape.oneOffShare < policy.minOneOffShare)
    return false;
  return !merchantLike(shape, policy.maxPurchaseShare);
}

/**
 * The weight of each payer of a flagged wallet: 1, shrunk so a wallet with more than fullWeightPayers
 * payers contributes that many in total, and scaled by the share of its inbound payments that were
 * given (deposits and transfers) rather than purchases.
 */
export function donorWeight(state: WalletState, policy: SeedingPolicy, payers: number): number {
  const life = state.lifetime;
  const given = life.inCount > 0 ? life.donationCount / life.inCount : 1;
  return Math.min(1, policy.fullWeightPayers / Math.max(1, payers)) * given;
}

/** The donors a flagged wallet contributes: its most recent payers, weighted so the total is capped. */
export function donorsOf(state: WalletState, policy: SeedingPolicy): { payer: string; weight: number }[] {
  const payers = [...state.payers.entries()]
    .sort((a, b) => b[1].lastMs - a[1].lastMs)
    .slice(0, policy.maxDonors)
    .map(([payer]) => payer);
  const weight = donorWeight(state, policy, payers.length);
  if (weight <= 0) return [];
  return payers.map((payer) => ({ payer, weight }));
}

/**
 * How much one gift by a payer says about the payer: a person gives to a handful of wallets in a
 * month (family, friends, a cause); a payer seen giving to many more (a cash terminal, an aggregator,
 * an employer) is no wallet's donor in particular, and its reappearance means little.
 */
export function spreadFactor(walletsGivenTo: number, policy: SeedingPolicy): number {
  return Math.min(1, policy.personalSpread / Math.max(1, walletsGivenTo));
}

/** The chunk's donor links as they count now: each weight times its payer's spread factor (one read). */
export async function linksBySpread(
  index: DonorIndex,
  links: Map<string, DonorLink[]>,
  policy: SeedingPolicy,
): Promise<Map<string, DonorLink[]>> {
  if (!links.size) return links;
  const gifts = await index.recentGifts([...links.keys()]);
  const counted = new Map<string, DonorLink[]>();
  for (const [payer, list] of links) {
    const factor = spreadFactor(gifts.get(payer)?.length ?? 1, policy);
    counted.set(payer, factor === 1 ? list : list.map((l) => ({ ...l, weight: l.weight * factor })));
  }
  return counted;
}

const OVERLAP_KEPT = 8;
const SAMPLE_KEPT = 20;

/** Adds shared payers with a flagged wallet to a wallet's overlap, keeping the strongest few. */
export function addOverlap(
  state: WalletState,
  flaggedWalletId: string,
  flaggedAtMs: number,
  payer: string,
  weight: number,
): void {
  const overlap = state.replacement.overlap;
  const entry: OverlapEntry = overlap.get(flaggedWalletId) ?? { shared: 0, sample: [], flaggedAtMs };
  if (entry.sample.includes(payer)) return;
  entry.shared += weight;
  entry.flaggedAtMs = Math.max(entry.flaggedAtMs, flaggedAtMs);
  if (entry.sample.length < SAMPLE_KEPT) entry.sample.push(payer);
  overlap.set(flaggedWalletId, entry);
  trimOverlap(state);
}

/** Sets the overlap with a flagged wallet from a full count (the retro search), if it is larger. */
export function setOverlap(state: WalletState, flaggedWalletId: string, entry: OverlapEntry): boolean {
  const current = state.replacement.overlap.get(flaggedWalletId);
  if (current && current.shared >= entry.shared) return false;
  state.replacement.overlap.set(flaggedWalletId, {
    ...entry,
    sample: entry.sample.slice(0, SAMPLE_KEPT),
  });
  trimOverlap(state);
  return true;
}

/** Forgets overlaps with wallets whose donors are no longer remembered (or were unflagged). */
export function forgetOverlaps(
  state: WalletState,
  keep: (walletId: string, entry: OverlapEntry) => boolean,
): boolean {
  let changed = false;
  for (const [walletId, entry] of state.replacement.overlap) {
    if (!keep(walletId, entry)) {
      state.replacement.overlap.delete(walletId);
      changed = true;
    }
  }
  return changed;
}

function trimOverlap(state: WalletState): void {
  const overlap = state.replacement.overlap;
  if (overlap.size <= OVERLAP_KEPT) return;
  const weakest = [...overlap.entries()].sort((a, b) => a[1].shared - b[1].shared)[0]!;
  overlap.delete(weakest[0]);
}
