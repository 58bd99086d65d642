// The one sentence an analyst reads first, written from the findings' numbers.
import type { BaseCurrency } from '../domain/money.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../domain/time.js';
import type { Finding } from '../rules/rule-types.js';

export function formatDuration(ms: number): string {
  if (ms < 2 * HOUR_MS) return `${Math.max(1, Math.round(ms / MINUTE_MS))} min`;
  if (ms < 72 * HOUR_MS) return `${Math.round(ms / HOUR_MS)} h`;
  return `${Math.round(ms / DAY_MS)} days`;
}

function sentenceFor(f: Finding, base: BaseCurrency): string {
  const span = formatDuration(f.window.toMs - f.window.fromMs);
  const x = f.facts;
  switch (f.ruleId) {
    case 'replacement-wallet':
      return `${x.sharedPayers} of its ${x.payers} payers (${Math.round(Number(x.share) * 100)}%) also paid flagged wallet ${x.flagged}`;
    case 'pass-through':
      return `${Math.round(Number(x.share) * 100)}% of the ${base.format(Number(x.inSum))} it was given by ${x.payers} payers left again within ${span}${unknownNormal(x)}`;
    case 'layering':
      return `it gathered ${base.format(Number(x.inSum))} from ${x.senders} senders and passed ${Math.round(Number(x.share) * 100)}% of it on to ${x.receivers} receivers within ${span}${unknownNormal(x)}`;
    case 'structuring':
      return `${x.near} deposits just below the ${base.format(Number(x.threshold))} reporting threshold in ${span}`;
    case 'fan-out':
      return `it paid ${x.payees} distinct payees ${base.format(Number(x.outSum))} in ${span}`;
    case 'baseline-break':
      return `it received ${x.deposits} donations in ${span} against ${Number(x.expected).toFixed(1)} expected from its own history`;
    case 'watchlist-mention':
      return `it received a payment after being named in ${x.mentions} public post(s) (${x.source})`;
    default:
      if (x.deposits !== undefined && x.payers !== undefined) {
        const typical = Number(x.baselinePerHour);
        const normal =
          x.baseline === 'unknown'
            ? `its own normal is not known yet (FlowGuard has watched it ${formatDuration(Number(x.watchedMs))})`
            : `typical for it: ${typical < 0.05 ? '0' : typical.toFixed(1)} per hour`;
        return `received ${x.deposits} donations totalling ${base.format(Number(x.sum))} from ${x.payers} payers in the last ${span}; ${normal}`;
      }
      return `rule ${f.ruleId} fired`;
  }
}

/** Said when a rule judged without the wallet's own baseline (cold start). */
function unknownNormal(x: Finding['facts']): string {
  return x.baseline === 'unknown' ? ' (its own normal is not known yet)' : '';
}

export function summarize(
  walletId: string,
  ageMs: number | null,
  findings: Finding[],
  base: BaseCurrency,
): string {
  // Two rules of one kind (crowdfunding and young-wallet fan-in) describe the same numbers: say them once.
  const [main, ...rest] = [...new Set(findings.map((f) => sentenceFor(f, base)))];
  if (!main) return `Wallet ${walletId}: no findings.`;
  const opened = ageMs === null ? 'age unknown' : `opened ${formatDuration(ageMs)} ago`;
  const subject = main.startsWith('received')
    ? `Wallet ${walletId} (${opened}) ${main}`
    : `Wallet ${walletId} (${opened}): ${main}`;
  const more = rest.length ? `; also ${rest.join('; ')}` : '';
  return `${subject}${more}.`;
}
