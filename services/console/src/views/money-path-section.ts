// "The money's path": for a replacement alert, the flagged wallet, this wallet and the payers they
// share as a graph; for a pass-through alert, inflow and outflow on one time axis.
import type { Chart } from 'chart.js';
import type { Core } from 'cytoscape';
import type { Alert, RelatedWallet } from '../../../../schemas/alert.js';
import type { WalletRisk } from '../../../../schemas/wallet-risk.js';
import { el } from '../dom.js';
import { evidenceValue, percent } from '../format.js';
import type { TimeSpan } from './inbound-chart.js';
import { describeMoneyPath, drawMoneyPath } from './money-path-graph.js';
import { section, walletLink } from './parts.js';
import { drawPassThroughChart, hasHourlyOutflow } from './pass-through-chart.js';

export interface DrawnSection {
  element: HTMLElement;
  destroy(): void;
}

export function moneyPathSection(
  alert: Alert,
  risk: WalletRisk | null,
  openWallet: (walletId: string) => void,
): DrawnSection | null {
  const related = relatedWallets(alert, risk);
  if (related.length > 0) return replacementSection(alert.walletId, related, openWallet);
  if (alert.rules.includes('pass-through')) return passThroughSection(alert, risk);
  return null;
}

/** The alert's related wallets; else the overlaps the wallet's risk view holds now. */
function relatedWallets(alert: Alert, risk: WalletRisk | null): RelatedWallet[] {
  if (alert.relatedWallets?.length) return alert.relatedWallets;
  if (!alert.rules.includes('replacement-wallet') || !risk) return [];
  return overlapsOf(risk);
}

/** The flagged wallets this wallet shares payers with now, in the alert's shape. */
export function overlapsOf(risk: WalletRisk): RelatedWallet[] {
  return risk.replacement.overlaps.map((overlap) => ({
    walletId: overlap.walletId,
    relation: 'shares-payers-with' as const,
    sharedPayers: overlap.sharedPayers,
    payersHeld: risk.features.lifetime.payersEver,
    samplePayers: overlap.samplePayers,
  }));
}

export function replacementSection(
  walletId: string,
  related: RelatedWallet[],
  openWallet: (id: string) => void,
): DrawnSection {
  const path = { walletId, related };
  const sentences = describeMoneyPath(path);
  const samples = [...new Set(related.flatMap((r) => r.samplePayers))];
  const graphBox = el('div', {
    class: 'money-path-graph',
    role: 'img',
    'aria-label': `Money path graph. ${sentences.join(' ')} Shared payers shown: ${samples.join(', ') || 'none'}.`,
  });
  const element = section(
    'The money’s path: payers shared with a flagged wallet',
    'money-path replacement',
    el(
      'p',
      { class: 'headline' },
      ...related.map((r) =>
        el(
          'span',
          {},
          `Shares ${Math.round(r.sharedPayers)} payers`,
          r.payersHeld > 0 ? ` (${percent(r.sharedPayers / r.payersHeld)} of its ${r.payersHeld})` : '',
          ' with flagged wallet ',
          walletLink(r.walletId),
          '. ',
        ),
      ),
    ),
    el(
      'figure',
      {},
      graphBox,
      el(
        'figcaption',
        {},
        el('span', { class: 'legend-item flagged' }, 'flagged wallet'),
        el('span', { class: 'legend-item subject' }, 'this wallet'),
        el('span', { class: 'legend-item payer' }, 'shared payer'),
        ' Arrows point the way the money went. Select a wallet to open it.',
      ),
    ),
    samples.length
      ? el(
          'details',
          { class: 'shared-payers' },
          el('summary', {}, `Shared payers shown (${samples.length})`),
          el(
            'ul',
            { class: 'plain-list columns' },
            samples.map((payer) => el('li', {}, walletLink(payer))),
          ),
        )
      : null,
  );
  let graph: Core | null = null;
  requestAnimationFrame(() => {
    if (graphBox.isConnected) graph = drawMoneyPath(graphBox, path, openWallet);
  });
  return { element, destroy: () => graph?.destroy() };
}

function passThroughSection(alert: Alert, risk: WalletRisk | null): DrawnSection {
  const figure = (feature: string) =>
    alert.evidence.find((e) => e.rule === 'pass-through' && e.feature === feature);
  const inbound = figure('inboundSum');
  const outbound = figure('outboundSum');
  const share = figure('outboundShareOfInbound');
  const summary =
    inbound && outbound
      ? `In the alert's window: ${evidenceValue(inbound.value, inbound.unit)} came in and ${evidenceValue(outbound.value, outbound.unit)} left${share ? ` (${percent(Number(share.value))})` : ''}.`
      : 'Most of what came in left again within the window.';
  const children: (HTMLElement | null)[] = [el('p', { class: 'headline' }, summary)];
  let chart: Chart | null = null;
  if (risk) {
    const canvas = el('canvas', { role: 'img', 'aria-label': `Inflow and outflow per hour. ${summary}` });
    children.push(el('div', { class: 'chart-frame' }, canvas));
    if (!hasHourlyOutflow(risk.timeline)) {
      children.push(
        el(
          'p',
          { class: 'hint' },
          'This server’s timeline has no hourly outflow yet: only the inflow is drawn.',
        ),
      );
    }
    const highlight: TimeSpan = { fromMs: Date.parse(alert.window.from), toMs: Date.parse(alert.window.to) };
    requestAnimationFrame(() => {
      if (canvas.isConnected)
        chart = drawPassThroughChart(canvas, risk.timeline, risk.features.currency, highlight);
    });
  }
  const element = section('The money’s path: in and out again', 'money-path pass-through', ...children);
  return { element, destroy: () => chart?.destroy() };
}
