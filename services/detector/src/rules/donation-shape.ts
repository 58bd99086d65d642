// The features of a window that need no baseline: who paid (how many, how many new to the wallet, how
// many only once) and how (given or bought). Donors to a public post are many, new and one-off;
// customers come back, and what they pay is a purchase. The fan-in rules and the seeding policy read
// these, so "campaign-shaped" means one thing everywhere.
import type { WalletState } from '../state/wallet-state.js';
import type { RuleWalletView, RuleWindow } from './rule-types.js';

export interface DonationShape {
  /** Distinct payers whose latest payment is in the window. */
  payers: number;
  /** Payers who paid this wallet only once (as far as it remembers), as a share of `payers`. */
  oneOffShare: number;
  /** Payers whose first payment to this wallet is in the window, as a share of `payers`. */
  newPayerShare: number;
  /** Inbound purchases as a share of inbound payments in the window. */
  purchaseShare: number;
  /** The same over everything FlowGuard saw the wallet receive. */
  lifetimePurchaseShare: number;
  /** Donations at or below SMALL_AMOUNT_MAX, as a share of the window's donations. */
  smallShare: number;
  /** Mean donation in the window, base minor units (0 without donations). */
  meanDonation: number;
}

export function donationShape(view: RuleWalletView, w: RuleWindow): DonationShape {
  const life = view.state.lifetime;
  return {
    payers: w.distinctPayers,
    oneOffShare: share(w.distinctPayers - w.repeatPayers, w.distinctPayers),
    newPayerShare: share(w.newPayers, w.distinctPayers),
    purchaseShare: share(w.purchaseCount, w.inCount),
    lifetimePurchaseShare: lifetimePurchaseShare(life),
    smallShare: share(w.smallDonationCount, w.donationCount),
    meanDonation: share(w.donationSum, w.donationCount),
  };
}

/** `part` of `whole`, 0 when there is no whole. */
function share(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

/** Inbound purchases as a share of every inbound payment the wallet received. */
function lifetimePurchaseShare(life: { purchaseCount: number; inCount: number }): number {
  return share(life.purchaseCount, life.inCount);
}

/**
 * A shop over its whole life: merchantLike whatever the window. Read from the state alone, so a rule's
 * `reachable` can skip such a wallet before building any window.
 */
export function merchantOverLife(state: WalletState, maxPurchaseShare: number): boolean {
  return lifetimePurchaseShare(state.lifetime) > maxPurchaseShare;
}

/** A wallet whose inflow is mostly purchases (a shop), in the window or over its life. */
export function merchantLike(shape: DonationShape, maxPurchaseShare: number): boolean {
  return shape.purchaseShare > maxPurchaseShare || shape.lifetimePurchaseShare > maxPurchaseShare;
}
