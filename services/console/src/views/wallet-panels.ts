// What FlowGuard knows about a wallet, in panels the alert and wallet screens share: its figures and
// age, the inbound timeline chart, earlier alerts, and the watchlist sources that list it.
import type { Chart } from 'chart.js';
import type { Alert } from '../../../../schemas/alert.js';
import type { WalletRisk } from '../../../../schemas/wallet-risk.js';
import { el } from '../dom.js';
import { count, duration, localTime, money, number, timeAgo } from '../format.js';
import { describeInboundChart, drawInboundChart, type TimeSpan } from './inbound-chart.js';
import { alertLink, facts, section, sourceLink } from './parts.js';
import { severityBadge } from './severity-badge.js';

export function walletFactsSection(risk: WalletRisk): HTMLElement {
  const f = risk.features;
  const life = f.lifetime;
  const age = f.ageHours === null ? 'unknown' : duration(f.ageHours);
  return section(
    'Wallet',
    'wallet-facts',
    facts([
      ['Risk now', el('span', {}, severityBadge(risk.level, risk.score))],
      ['Age', f.openedAt ? `${age} (opened ${localTime(f.openedAt)})` : `${age} (opening time not sent)`],
      ['First seen', localTime(f.firstSeen)],
      ['Last event', `${localTime(f.lastEvent)} (${timeAgo(f.lastEvent, Date.now())})`],
      ['Received', `${count(life.inCount, 'payment')}, ${money(life.inSum, f.currency)}`],
      ['Of which', `${count(life.donationCount, 'donation')}, ${count(life.purchaseCount, 'purchase')}`],
      ['Sent', `${count(life.outCount, 'payment')}, ${money(life.outSum, f.currency)}`],
      ['Payers ever', number(life.payersEver)],
      [
        'Rules behind the score',
        risk.rules.length
          ? risk.rules.map((r) => `${r.ruleId} (${number(r.contribution)} of ${number(r.weight)})`).join(', ')
          : 'none',
      ],
    ]),
  );
}

/** The timeline chart; returns the section and the chart's cleanup. */
export function timelineSection(
  risk: WalletRisk,
  highlight: TimeSpan | null,
): { element: HTMLElement; destroy: () => void } {
  const description = describeInboundChart(risk.timeline, highlight);
  const canvas = el('canvas', { role: 'img', 'aria-label': description });
  const frame = el('div', { class: 'chart-frame' }, canvas);
  const element = section(
    'Inbound payments per hour, against its own baseline',
    'timeline',
    frame,
    el(
      'p',
      { class: 'chart-caption' },
      highlight ? 'Orange bars are the hours of the alert’s window. ' : '',
      description,
    ),
  );
  let chart: Chart | null = null;
  // Chart.js sizes itself from its frame: draw once the section is in the document.
  requestAnimationFrame(() => {
    if (canvas.isConnected) chart = drawInboundChart(canvas, risk.timeline, highlight);
  });
  return { element, destroy: () => chart?.destroy() };
}

export function previousAlertsSection(alerts: Alert[], currentAlertId: string | null): HTMLElement {
  const earlier = alerts.filter((alert) => alert.alertId !== currentAlertId);
  return section(
    'Previous alerts on this wallet',
    'previous-alerts',
    earlier.length === 0
      ? el('p', {}, 'None on record.')
      : el(
          'ul',
          { class: 'plain-list' },
          earlier.map((alert) =>
            el(
              'li',
              {},
              severityBadge(alert.severity, alert.score),
              ' ',
              alertLink(alert.alertId, `${localTime(alert.detectedAt)}: ${alert.rules.join(', ')}`),
            ),
          ),
        ),
  );
}

export function watchlistSourcesSection(risk: WalletRisk): HTMLElement | null {
  if (risk.watchlist.length === 0) return null;
  return section(
    'On the watchlist',
    'wallet-watchlist',
    el(
      'ul',
      { class: 'plain-list' },
      risk.watchlist.map((source) =>
        el(
          'li',
          {},
          sourceLink(source.url, source.source),
          ` — listed ${localTime(source.listedAt)}, until ${localTime(source.expiresAt)}`,
          source.note ? `: ${source.note}` : '',
        ),
      ),
    ),
  );
}
