// The wallet's audit entries, newest first (GET /v1/audit?walletId=): every flag, approval,
// revocation, watchlist change and suppressed alert, with who did it and why.
import type { AuditRecord } from '../../../../schemas/audit-record.js';
import { el, replaceChildren } from '../dom.js';
import { localTime } from '../format.js';
import { describeFlag } from './flag-form.js';
import { errorLine, loadingLine, section } from './parts.js';
import type { ViewContext } from './view-context.js';
import type { ReloadableSection } from './wallet-flags-section.js';

const ACTIONS: Record<AuditRecord['action'], string> = {
  'flag.recorded': 'Flag recorded',
  'flag.requested': 'Flag requested (needs approval)',
  'flag.approved': 'Flag approved',
  'flag.rejected': 'Flag rejected',
  'flag.revoked': 'Flag revoked',
  'watchlist.added': 'Added to the watchlist',
  'watchlist.removed': 'Removed from the watchlist',
  'alert.suppressed': 'Alert suppressed by a flag',
};

const PAGE = 20;

export function auditSection(ctx: ViewContext, walletId: string): ReloadableSection {
  const rows = el('tbody');
  const status = el('div', {}, loadingLine('audit entries'));
  const more = el('button', { type: 'button', hidden: true }, 'Load older entries');
  let cursor: string | null = null;
  const table = el(
    'table',
    { class: 'audit-table' },
    el('caption', { class: 'visually-hidden' }, `Audit entries of wallet ${walletId}, newest first`),
    el(
      'thead',
      {},
      el('tr', {}, ...['When', 'What', 'Who', 'Why', 'Detail'].map((t) => el('th', { scope: 'col' }, t))),
    ),
    rows,
  );
  const element = section('Audit trail', 'audit', status, table, more);

  async function load(reset: boolean): Promise<void> {
    try {
      const page = await ctx.session.client.get<{ records: AuditRecord[]; nextCursor: string | null }>(
        'v1/audit',
        {
          walletId,
          limit: PAGE,
          cursor: reset ? undefined : (cursor ?? undefined),
        },
      );
      if (!ctx.isCurrent()) return;
      if (reset) rows.replaceChildren();
      for (const record of page.records) rows.append(row(record));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      replaceChildren(status, rows.childElementCount === 0 ? el('p', {}, 'No entries yet.') : null);
    } catch (error) {
      if (ctx.isCurrent()) replaceChildren(status, errorLine('audit entries', error));
    }
  }
  more.addEventListener('click', () => void load(false));

  return { element, reload: () => load(true) };
}

function row(record: AuditRecord): HTMLTableRowElement {
  return el(
    'tr',
    { 'data-audit-id': record.auditId },
    el('td', {}, el('time', { datetime: record.at }, localTime(record.at))),
    el('td', {}, ACTIONS[record.action] ?? record.action),
    el('td', {}, record.principal.id),
    el('td', {}, record.reason ?? ''),
    el('td', {}, detail(record)),
  );
}

function detail(record: AuditRecord): string {
  if (record.flag) return `${describeFlag(record.flag)} → ${record.flag.status} (flag ${record.flag.flagId})`;
  if (record.mention) return record.mention.source;
  if (record.suppressed) return `alert ${record.suppressed.alertId} (${record.suppressed.rules.join(', ')})`;
  return '';
}
