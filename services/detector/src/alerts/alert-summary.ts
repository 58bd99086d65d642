// The one sentence an analyst reads first, written from the findings' numbers.
import type { Finding } from '../rules/rule-types.js';

const HOUR = 3_600_000;

export function formatAmount(minor: number, currency: string): string {
  return `${Math.round(minor / 100).toLocaleString('en-US')} ${currency}`;
}

function formatDuration(ms: number): string {
  if (ms < 2 * HOUR) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (ms < 72 * HOUR) return `${Math.round(ms / HOUR)} h`;
  return `${Math.round(ms / (24 * HOUR))} days`;
}

function sentenceFor(f: Finding, currency: string): string {
  const span = formatDuration(f.window.toMs - f.window.fromMs);
  const x = f.facts;
  switch (f.ruleId) {
    case 'replacement-wallet':
      return `${x.sharedPayers} of its ${x.payers} payers (${Math.round(Number(x.share) * 100)}%) also paid flagged wallet ${x.flagged}`;
    case 'pass-through':
      return `${Math.round(Number(x.share) * 100)}% of the ${formatAmount(Number(x.inSum), currency)} it received from ${x.payers} payers left again within ${span}`;
    case 'structuring':
      return `${x.near} deposits just below the ${formatAmount(Number(x.threshold), currency)} reporting threshold in ${span}`;
    case 'fan-out':
      return `it paid ${x.payees} distinct payees ${formatAmount(Number(x.outSum), currency)} in ${span}`;
    case 'baseline-break':
      return `it received ${x.deposits} payments in ${span} against ${Number(x.expected).toFixed(1)} expected from its own history`;
    default:
      if (x.deposits !== undefined && x.payers !== undefined) {
        const typical = Number(x.baselinePerHour);
        return `received ${x.deposits} deposits totalling ${formatAmount(Number(x.sum), currency)} from ${x.payers} payers in the last ${span}; typical for it: ${typical < 0.05 ? '0' : typical.toFixed(1)} per hour`;
      }
      return `rule ${f.ruleId} fired`;
  }
}

export function summarize(walletId: string, ageMs: number, findings: Finding[], currency: string): string {
  // Two rules of one kind (crowdfunding and young-wallet fan-in) describe the same numbers: say them once.
  const [main, ...rest] = [...new Set(findings.map((f) => sentenceFor(f, currency)))];
  if (!main) return `Wallet ${walletId}: no findings.`;
  const opened = `opened ${formatDuration(ageMs)} ago`;
  const subject = main.startsWith('received')
    ? `Wallet ${walletId} (${opened}) ${main}`
    : `Wallet ${walletId} (${opened}): ${main}`;
  const more = rest.length ? `; also ${rest.join('; ')}` : '';
  return `${subject}${more}.`;
}
