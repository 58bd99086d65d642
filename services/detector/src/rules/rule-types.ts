// What a rule sees and what it returns. Rules are pure, synchronous functions of plain data.
import type { EvidenceItem, Severity } from '../../../../schemas/alert.js';
import type { FeatureConfig } from '../config.js';
import type { HourlyHistory } from '../features/feature-store.js';
import type { WalletFeatures } from '../features/wallet-features.js';
import type { WalletUpdate } from '../ingest/normalized-event.js';

export interface RuleInput {
  features: WalletFeatures;
  /** The wallet side of the event that was just applied. */
  update: WalletUpdate;
  /** The wallet's hourly inbound history, when a rule asked for it (see `needsHistory`). */
  history: HourlyHistory | undefined;
  featureConfig: FeatureConfig;
  /** Event time of the first event FlowGuard ever processed: before it, no wallet has a history here. */
  streamStartMs: number;
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
  relatedWalletIds?: string[];
}

/** A rule's answer: a finding, nothing, or "ask again with the wallet's history". */
export type RuleOutcome = Finding | null | 'needs-history';

export interface Rule {
  id: string;
  kind: string;
  description: string;
  severity: Severity;
  weight: number;
  evaluate(input: RuleInput): RuleOutcome;
}

/** A finding of this rule over a window: the rule's identity, severity and weight filled in. */
export function finding(
  base: Omit<Rule, 'evaluate'>,
  windowName: string,
  window: { fromMs: number; toMs: number },
  details: Pick<Finding, 'evidence' | 'facts' | 'relatedWalletIds'>,
): Finding {
  return { ruleId: base.id, severity: base.severity, weight: base.weight, windowName, window, ...details };
}
