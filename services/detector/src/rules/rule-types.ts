// What a rule sees and what it returns. Rules are pure, synchronous functions of plain data: the
// wallet's state and window view after the event was applied, the event's side, and the stream's start.
import type { EvidenceItem, RelatedWallet, Severity, WatchlistCitation } from '../../../../schemas/alert.js';
import type { FeatureConfig } from '../config/index.js';
import type { WalletSide } from '../domain/transaction.js';
import type { WalletState } from '../state/wallet-state.js';

/** A window's features (see state/window-view.ts; base-currency minor units). */
export interface RuleWindow {
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
  /** Payers whose first payment to this wallet falls in the window. */
  newPayers: number;
  repeatPayers: number;
  distinctPayees: number;
}

/** Hourly inbound history, oldest first, ending the hour before `endHourMs`. */
export interface RuleHistory {
  counts: number[];
  sums: number[];
  donationCounts: number[];
  endHourMs: number;
}

export interface RuleWalletView {
  readonly state: WalletState;
  /** The window ending with the wallet's newest event. */
  window(name: string): RuleWindow;
  /** The window as it stood when an event at `atMs` arrived (window(name) for the newest bucket). */
  windowEndingAt(name: string, atMs: number): RuleWindow;
  hourlyHistory(hours: number): RuleHistory;
}

export interface RuleInput {
  wallet: RuleWalletView;
  /** The wallet side just applied; null when the rules run because a wallet it shares payers with was flagged. */
  side: WalletSide | null;
  /** Event time the rules judge at (the event's, or the flag's). */
  atMs: number;
  featureConfig: FeatureConfig;
  /** Event time from which FlowGuard has seen the stream: before it, no wallet has a history here. */
  streamStartMs: number;
}

/**
 * The window a rule about money coming in judges: as it stood when the payment arrived. Partitions
 * advance independently, so a wallet may already hold newer events (its own payments out travel on
 * the payees' partitions); a window ending at those would leave out what came just before the payment.
 */
export function windowAtPayment(input: RuleInput, name: string): RuleWindow {
  return input.side
    ? input.wallet.windowEndingAt(name, input.side.event.occurredAtMs)
    : input.wallet.window(name);
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  weight: number;
  windowName: string;
  window: { fromMs: number; toMs: number };
  evidence: EvidenceItem[];
  /** Plain numbers the summary sentence is written from. */
  facts: Record<string, number | string>;
  relatedWallets?: RelatedWallet[];
  watchlist?: WatchlistCitation[];
}

export type RuleOutcome = Finding | null;

export interface Rule {
  id: string;
  kind: string;
  description: string;
  severity: Severity;
  weight: number;
  /** The rule's validated parameters, as the catalog gave them. */
  params: Readonly<Record<string, unknown>>;
  evaluate(input: RuleInput): RuleOutcome;
  /**
   * False when no window of this wallet can meet the rule's thresholds, so evaluate would find
   * nothing: every window is a part of the wallet's lifetime figures, and its counterparties are
   * among those the wallet holds. Read off the state, it settles most wallets before a window is
   * computed (evaluate-rules.ts). Absent: always evaluated.
   */
  reachable?(state: WalletState, features: FeatureConfig): boolean;
}

/** A finding of this rule over a window: the rule's identity, severity and weight filled in. */
export function finding(
  base: Omit<Rule, 'evaluate'>,
  windowName: string,
  window: { fromMs: number; toMs: number },
  details: Pick<Finding, 'evidence' | 'facts' | 'relatedWallets' | 'watchlist'>,
): Finding {
  return { ruleId: base.id, severity: base.severity, weight: base.weight, windowName, window, ...details };
}
