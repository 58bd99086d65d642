// The left pane: the alert queue, newest first, live, with filters; each row shows the summary
// sentence, the severity, the rules and whether this analyst has read and handled it.
import type { Alert, Severity } from '../../../../schemas/alert.js';
import type { FeedStatus } from '../alert-feed.js';
import type { AlertQueue } from '../alert-queue.js';
import { ApiError } from '../api-client.js';
import { el, replaceChildren } from '../dom.js';
import { localTime, timeAgo } from '../format.js';
import {
  matchesMarks,
  NO_FILTER,
  SINCE_OPTIONS,
  STATE_OPTIONS,
  type MarkState,
  type QueueFilter,
  type Since,
} from '../queue-filter.js';
import type { QueueMarks } from '../queue-marks.js';
import { severityBadge } from './severity-badge.js';

export interface QueueView {
  /** The alert open in the detail pane (its row is marked current). */
  select(alertId: string | null): void;
  setFeedStatus(status: FeedStatus, detail?: string): void;
  /** Moves the keyboard focus to the selected alert's row, else the first row. */
  focusCurrent(): void;
  destroy(): void;
}

// A type-only import keeps zod out of the bundle, so the list is spelled here (checked against the type).
const SEVERITY_CHOICES = ['critical', 'high', 'medium', 'low'] as const satisfies readonly Severity[];

const FEED_TEXT: Record<FeedStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: 'Not live',
};

export function mountQueue(pane: HTMLElement, queue: AlertQueue, marks: QueueMarks): QueueView {
  let selected: string | null = null;
  let filter: QueueFilter = NO_FILTER;
  const rulesSeen = new Set<string>();

  const severity = select('filter-severity', [
    ['', 'any severity'],
    ...SEVERITY_CHOICES.map((s) => [s, s] as [string, string]),
  ]);
  const rule = select('filter-rule', [['', 'any rule']]);
  const since = select('filter-since', Object.entries(SINCE_OPTIONS));
  const state = select('filter-state', Object.entries(STATE_OPTIONS));
  const filters = el(
    'form',
    { class: 'queue-filters', 'aria-label': 'Filter the queue' },
    field('Severity', severity),
    field('Rule', rule),
    field('Detected', since),
    field('Show', state),
  );
  filters.addEventListener('submit', (event) => event.preventDefault());
  filters.addEventListener('change', () => {
    const next: QueueFilter = {
      severity: severity.value as QueueFilter['severity'],
      rule: rule.value,
      since: since.value as Since,
      state: state.value as MarkState,
    };
    const serverSide =
      next.severity !== filter.severity || next.rule !== filter.rule || next.since !== filter.since;
    filter = next;
    if (serverSide) void queue.setFilter(filter);
    else renderRows();
  });

  const feed = el('span', { class: 'feed-status', 'data-status': 'connecting' }, FEED_TEXT.connecting);
  const count = el('span', { class: 'queue-count' });
  const announcer = el('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const list = el('ol', { class: 'queue-list', 'aria-labelledby': 'queue-heading' });
  const message = el('p', { class: 'queue-message' });
  const more = el('button', { type: 'button', class: 'load-more', hidden: true }, 'Load older alerts');
  more.addEventListener('click', () => void queue.loadMore());

  list.addEventListener('keydown', (event) => moveFocus(event, list));

  replaceChildren(
    pane,
    el('div', { class: 'queue-head' }, el('h2', { id: 'queue-heading' }, 'Alert queue'), feed),
    filters,
    el('p', { class: 'queue-summary' }, count),
    announcer,
    list,
    message,
    more,
  );

  const stopQueue = queue.onChange((change) => {
    for (const alert of change.added) for (const id of alert.rules) rulesSeen.add(id);
    refreshRuleOptions();
    if (change.kind === 'live') announce(change.added);
    renderRows(change.kind === 'live' ? new Set(change.added.map((a) => a.alertId)) : undefined);
  });
  const stopMarks = marks.onChange(() => renderRows());
  // "5 min ago" goes stale: redraw the rows once a minute.
  const ticker = setInterval(() => renderRows(), 60_000);

  function renderRows(fresh?: Set<string>): void {
    const focusedId = (document.activeElement as HTMLElement | null)?.closest('li')?.dataset.alertId;
    const now = Date.now();
    const shown = queue.alerts.filter((alert) => matchesMarks(marks.get(alert.alertId), filter.state));
    replaceChildren(
      list,
      shown.map((alert) => row(alert, now, fresh?.has(alert.alertId) ?? false)),
    );
    const unread = queue.alerts.filter((alert) => !marks.get(alert.alertId).read).length;
    count.textContent = `${shown.length} shown, ${unread} unread`;
    message.textContent = queue.error
      ? `Could not load alerts: ${queue.error instanceof ApiError ? queue.error.reason : String(queue.error)}`
      : queue.loading
        ? 'Loading…'
        : shown.length === 0
          ? 'No alerts match.'
          : '';
    more.hidden = !queue.nextCursor;
    if (focusedId) list.querySelector<HTMLElement>(`li[data-alert-id="${CSS.escape(focusedId)}"] a`)?.focus();
  }

  function row(alert: Alert, now: number, fresh: boolean): HTMLLIElement {
    const mark = marks.get(alert.alertId);
    const classes = [
      'queue-row',
      mark.read ? 'read' : 'unread',
      mark.handled ? 'handled' : '',
      fresh ? 'fresh' : '',
    ]
      .filter(Boolean)
      .join(' ');
    return el(
      'li',
      { class: classes, 'data-alert-id': alert.alertId },
      el(
        'a',
        {
          href: `#/alerts/${encodeURIComponent(alert.alertId)}`,
          'aria-current': alert.alertId === selected ? 'true' : null,
        },
        el(
          'span',
          { class: 'row-top' },
          severityBadge(alert.severity, alert.score),
          el('span', { class: 'row-state' }, mark.handled ? 'Handled' : mark.read ? '' : 'Unread'),
          el(
            'time',
            { datetime: alert.detectedAt, title: localTime(alert.detectedAt) },
            timeAgo(alert.detectedAt, now),
          ),
        ),
        el('span', { class: 'row-summary' }, alert.summary),
        el('span', { class: 'row-meta' }, `${alert.walletId} · ${alert.rules.join(', ')}`),
      ),
    );
  }

  function refreshRuleOptions(): void {
    const known = new Set([...rule.options].map((option) => option.value));
    for (const id of [...rulesSeen].sort()) {
      if (!known.has(id)) rule.append(el('option', { value: id }, id));
    }
  }

  function announce(added: Alert[]): void {
    const first = added[0];
    if (!first) return;
    announcer.textContent =
      added.length === 1
        ? `New ${first.severity} alert on wallet ${first.walletId}.`
        : `${added.length} new alerts, the newest ${first.severity} on wallet ${first.walletId}.`;
  }

  void queue.setFilter(filter);

  return {
    select(alertId) {
      selected = alertId;
      for (const link of list.querySelectorAll('a')) {
        const id = link.closest('li')?.dataset.alertId;
        if (id === alertId) link.setAttribute('aria-current', 'true');
        else link.removeAttribute('aria-current');
      }
    },
    focusCurrent() {
      const current = list.querySelector<HTMLElement>('a[aria-current="true"]') ?? list.querySelector('a');
      current?.focus();
    },
    setFeedStatus(status, detail) {
      feed.dataset.status = status;
      feed.textContent = FEED_TEXT[status];
      feed.title = detail ?? '';
    },
    destroy() {
      stopQueue();
      stopMarks();
      clearInterval(ticker);
    },
  };
}

function select(id: string, options: [string, string][]): HTMLSelectElement {
  return el(
    'select',
    { id, name: id },
    options.map(([value, text]) => el('option', { value }, text)),
  );
}

function field(label: string, control: HTMLSelectElement): HTMLElement {
  return el('div', { class: 'field' }, el('label', { for: control.id }, label), control);
}

/** Arrow keys, Home and End move between the rows' links (Tab still leaves the list). */
function moveFocus(event: KeyboardEvent, list: HTMLElement): void {
  const links = [...list.querySelectorAll<HTMLAnchorElement>('li > a')];
  const index = links.indexOf(document.activeElement as HTMLAnchorElement);
  if (index === -1) return;
  const target = {
    ArrowDown: links[index + 1],
    ArrowUp: links[index - 1],
    Home: links[0],
    End: links[links.length - 1],
  }[event.key];
  if (!target) return;
  event.preventDefault();
  target.focus();
}
