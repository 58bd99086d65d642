// One alert, everything an analyst needs to decide on it: the summary, every evidence line, the
// money's path, the wallet's inbound timeline against its baseline, its figures and earlier alerts,
// the decision form, the wallet's flags and its audit trail.
import type { Alert } from '../../../../schemas/alert.js';
import type { WalletRisk } from '../../../../schemas/wallet-risk.js';
import { ApiError, segment } from '../api-client.js';
import { el, replaceChildren } from '../dom.js';
import { localTime } from '../format.js';
import { SCOPES } from '../session.js';
import { auditSection } from './audit-section.js';
import { evidenceSection } from './evidence-section.js';
import { flagFormSection } from './flag-form.js';
import { moneyPathSection } from './money-path-section.js';
import {
  alertLink,
  errorLine,
  facts,
  loadingLine,
  reasonOf,
  section,
  sourceLink,
  walletLink,
} from './parts.js';
import { severityBadge } from './severity-badge.js';
import type { ViewContext } from './view-context.js';
import { walletFlagsSection } from './wallet-flags-section.js';
import {
  previousAlertsSection,
  timelineSection,
  walletFactsSection,
  watchlistSourcesSection,
} from './wallet-panels.js';

export async function renderAlertDetail(
  container: HTMLElement,
  alertId: string,
  ctx: ViewContext,
): Promise<void> {
  replaceChildren(container, loadingLine('the alert'));
  let alert: Alert;
  try {
    alert = ctx.queue.get(alertId) ?? (await ctx.session.client.get<Alert>(`v1/alerts/${segment(alertId)}`));
  } catch (error) {
    if (ctx.isCurrent()) replaceChildren(container, errorLine(`alert ${alertId}`, error));
    return;
  }
  if (!ctx.isCurrent()) return;
  ctx.marks.markRead(alert.alertId);

  const riskSlot = el('div', { class: 'risk-slot' }, loadingLine('the wallet’s risk'));
  const pathSlot = el('div', { class: 'path-slot' });
  const flags = ctx.session.can(SCOPES.riskRead)
    ? walletFlagsSection(ctx, alert.walletId, () => void refreshDecisions())
    : null;
  const audit = auditSection(ctx, alert.walletId);
  const decision = flagFormSection(ctx, {
    walletId: alert.walletId,
    rules: alert.rules,
    onRecorded: () => {
      ctx.marks.setHandled(alert.alertId, true);
      void refreshDecisions();
    },
  });

  replaceChildren(
    container,
    el(
      'article',
      { class: 'alert-detail', 'aria-labelledby': 'detail-heading' },
      header(alert, ctx),
      evidenceSection(alert),
      pathSlot,
      riskSlot,
      watchlistCitations(alert),
      el('div', { class: 'two-columns' }, decision, flags?.element ?? null),
      audit.element,
    ),
  );
  focusHeading(container);
  void refreshDecisions();

  async function refreshDecisions(): Promise<void> {
    await Promise.all([flags?.reload(), audit.reload()]);
  }

  const risk = await loadRisk(ctx, alert.walletId, riskSlot);
  if (!ctx.isCurrent()) return;
  const path = moneyPathSection(alert, risk, (walletId) =>
    ctx.navigate(`#/wallets/${encodeURIComponent(walletId)}`),
  );
  if (path) {
    pathSlot.append(path.element);
    ctx.onLeave(path.destroy);
  }
  if (!risk) return;
  const timeline = timelineSection(risk, {
    fromMs: Date.parse(alert.window.from),
    toMs: Date.parse(alert.window.to),
  });
  ctx.onLeave(timeline.destroy);
  replaceChildren(
    riskSlot,
    timeline.element,
    el(
      'div',
      { class: 'two-columns' },
      walletFactsSection(risk),
      previousAlertsSection(risk.recentAlerts, alert.alertId),
    ),
    watchlistSourcesSection(risk),
  );
}

/** The wallet's risk view, or null (shown in `slot` as why) when it cannot be had. */
export async function loadRisk(
  ctx: ViewContext,
  walletId: string,
  slot: HTMLElement,
): Promise<WalletRisk | null> {
  if (!ctx.session.can(SCOPES.riskRead)) {
    replaceChildren(
      slot,
      el('p', { class: 'hint' }, 'Your credential cannot read wallet risk (it lacks risk:read).'),
    );
    return null;
  }
  try {
    return await ctx.session.client.get<WalletRisk>(`v1/wallets/${segment(walletId)}/risk`);
  } catch (error) {
    if (!ctx.isCurrent()) return null;
    const text =
      error instanceof ApiError && error.status === 404
        ? `FlowGuard holds no activity for wallet ${walletId} now (${reasonOf(error)}).`
        : null;
    replaceChildren(slot, text ? el('p', { class: 'hint' }, text) : errorLine('the wallet’s risk', error));
    return null;
  }
}

function header(alert: Alert, ctx: ViewContext): HTMLElement {
  const handled = ctx.marks.get(alert.alertId).handled;
  const toggle = el(
    'button',
    { type: 'button', 'aria-pressed': String(handled) },
    handled ? 'Handled' : 'Mark handled',
  );
  toggle.addEventListener('click', () => {
    const now = toggle.getAttribute('aria-pressed') !== 'true';
    ctx.marks.setHandled(alert.alertId, now);
    toggle.setAttribute('aria-pressed', String(now));
    toggle.textContent = now ? 'Handled' : 'Mark handled';
  });
  return el(
    'header',
    { class: 'detail-header' },
    el(
      'h2',
      { id: 'detail-heading', tabindex: '-1' },
      severityBadge(alert.severity, alert.score),
      ' Alert on wallet ',
      el('span', { class: 'wallet-id' }, alert.walletId),
    ),
    el('p', { class: 'summary' }, alert.summary),
    el(
      'div',
      { class: 'toolbar' },
      toggle,
      el('a', { href: `#/wallets/${encodeURIComponent(alert.walletId)}`, class: 'button' }, 'Open wallet'),
    ),
    facts([
      ['Rules', alert.rules.join(', ')],
      [
        'Detected',
        `${localTime(alert.detectedAt)}${alert.origin === 'backfill' ? ' (while replaying history)' : ''}`,
      ],
      ['Event time', localTime(alert.eventTime)],
      ['Window', `${localTime(alert.window.from)} to ${localTime(alert.window.to)}`],
      ['Alert id', alert.alertId],
      ['Follows', alert.previousAlertId ? alertLink(alert.previousAlertId, alert.previousAlertId) : null],
      [
        'Related wallets',
        alert.relatedWalletIds?.length
          ? el('span', {}, ...alert.relatedWalletIds.flatMap((id, i) => [i ? ', ' : '', walletLink(id)]))
          : null,
      ],
    ]),
  );
}

function watchlistCitations(alert: Alert): HTMLElement | null {
  if (!alert.watchlist?.length) return null;
  return section(
    'Watchlist sources this alert cites',
    'citations',
    el(
      'ul',
      { class: 'plain-list' },
      alert.watchlist.map((c) => el('li', {}, sourceLink(c.url, c.source), ` — seen ${localTime(c.seenAt)}`)),
    ),
  );
}

export function focusHeading(container: HTMLElement): void {
  container.querySelector<HTMLElement>('h2[tabindex="-1"]')?.focus({ preventScroll: false });
}
