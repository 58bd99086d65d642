// Runs every rule of the catalog once on one wallet after one event (or one relation change).
import type { RuleCatalog } from './rule-catalog.js';
import type { Finding, RuleInput } from './rule-types.js';

export function evaluateRules(catalog: RuleCatalog, input: RuleInput, only?: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  const state = input.wallet.state;
  for (const rule of catalog.rules) {
    if (only && !only.has(rule.kind)) continue;
    if (rule.reachable && !rule.reachable(state, input.featureConfig)) continue;
    const outcome = rule.evaluate(input);
    if (outcome) findings.push(outcome);
  }
  return findings;
}
