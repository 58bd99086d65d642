// Runs every rule of the catalog on one wallet update.
import type { RuleCatalog } from './rule-catalog.js';
import type { Finding, RuleInput } from './rule-types.js';

export interface Evaluation {
  findings: Finding[];
  /** Rules that need the wallet's hourly history before they can answer. */
  needsHistory: boolean;
}

export function evaluateRules(catalog: RuleCatalog, input: RuleInput): Evaluation {
  const findings: Finding[] = [];
  let needsHistory = false;
  for (const rule of catalog.rules) {
    const outcome = rule.evaluate(input);
    if (outcome === 'needs-history') needsHistory = true;
    else if (outcome) findings.push(outcome);
  }
  return { findings, needsHistory };
}
