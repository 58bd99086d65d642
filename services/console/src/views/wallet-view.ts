// One wallet without a particular alert (reached from a graph, the watchlist or a payer): its risk,
// timeline, payers shared with flagged wallets, decisions and audit trail.
import { el, replaceChildren } from '../dom.js';
import { auditSection } from './audit-section.js';
import { focusHeading, loadRisk } from './alert-detail-view.js';
import { flagFormSection } from './flag-form.js';
import { overlapsOf, replacementSection } from './money-path-section.js';
import { loadingLine } from './parts.js';
import { SCOPES } from '../session.js';
import type { ViewContext } from './view-context.js';
import { walletFlagsSection } from './wallet-flags-section.js';
import {
  previousAlertsSection,
  timelineSection,
  walletFactsSection,
  watchlistSourcesSection,
} from './wallet-panels.js';

export async function renderWallet(
  container: HTMLElement,
  walletId: string,
  ctx: ViewContext,
): Promise<void> {
  const riskSlot = el('div', { class: 'risk-slot' }, loadingLine('the wallet’s risk'));
  const formSlot = el('div', { class: 'decision-slot' });
  const flags = ctx.session.can(SCOPES.riskRead)
    ? walletFlagsSection(ctx, walletId, () => void refresh())
    : null;
  const audit = auditSection(ctx, walletId);
  replaceChildren(
    container,
    el(
      'article',
      { class: 'wallet-detail', 'aria-labelledby': 'detail-heading' },
      el(
        'header',
        { class: 'detail-header' },
        el(
          'h2',
          { id: 'detail-heading', tabindex: '-1' },
          'Wallet ',
          el('span', { class: 'wallet-id' }, walletId),
        ),
      ),
      riskSlot,
      el('div', { class: 'two-columns' }, formSlot, flags?.element ?? null),
      audit.element,
    ),
  );
  focusHeading(container);
  void refresh();

  async function refresh(): Promise<void> {
    await Promise.all([flags?.reload(), audit.reload()]);
  }

  const risk = await loadRisk(ctx, walletId, riskSlot);
  if (!ctx.isCurrent()) return;
  replaceChildren(
    formSlot,
    flagFormSection(ctx, {
      walletId,
      rules: risk?.rules.map((r) => r.ruleId) ?? [],
      onRecorded: () => void refresh(),
    }),
  );
  if (!risk) return;
  const timeline = timelineSection(risk, null);
  ctx.onLeave(timeline.destroy);
  const related = overlapsOf(risk);
  const path = related.length
    ? replacementSection(walletId, related, (id) => ctx.navigate(`#/wallets/${encodeURIComponent(id)}`))
    : null;
  if (path) ctx.onLeave(path.destroy);
  replaceChildren(
    riskSlot,
    timeline.element,
    el(
      'div',
      { class: 'two-columns' },
      walletFactsSection(risk),
      previousAlertsSection(risk.recentAlerts, null),
    ),
    path?.element ?? null,
    watchlistSourcesSection(risk),
  );
}
