// The signed-in console: a header (navigation, live status, who is signed in), the queue on the left
// and the detail pane on the right, driven by the location hash (#/alerts/<id>, #/wallets/<id>,
// #/approvals, #/watchlist) so the back button and links work.
import { followAlerts } from './alert-feed.js';
import { AlertQueue } from './alert-queue.js';
import { el, replaceChildren } from './dom.js';
import { QueueMarks } from './queue-marks.js';
import { SCOPES, type Session } from './session.js';
import { renderAlertDetail } from './views/alert-detail-view.js';
import { renderApprovals } from './views/approvals-view.js';
import { mountQueue } from './views/queue-view.js';
import type { ViewContext } from './views/view-context.js';
import { renderWallet } from './views/wallet-view.js';
import { renderWatchlist } from './views/watchlist-view.js';

const APPROVALS_POLL_MS = 30_000;

type Route =
  | { view: 'home' }
  | { view: 'alert'; id: string }
  | { view: 'wallet'; id: string }
  | { view: 'approvals' }
  | { view: 'watchlist' };

function parseRoute(hash: string): Route {
  const [, view, id] = /^#\/([a-z]+)(?:\/(.+))?$/.exec(hash) ?? [];
  const decoded = id === undefined ? undefined : safeDecode(id);
  if (view === 'alerts' && decoded) return { view: 'alert', id: decoded };
  if (view === 'wallets' && decoded) return { view: 'wallet', id: decoded };
  if (view === 'approvals') return { view: 'approvals' };
  if (view === 'watchlist') return { view: 'watchlist' };
  return { view: 'home' };
}

/** Builds the console in `root`; returns the function that tears it down (on sign-out). */
export function startConsole(root: HTMLElement, session: Session, signOut: () => void): () => void {
  const marks = QueueMarks.forPrincipal(localStorage, session.principal.id);
  const queue = new AlertQueue(session.client);
  const canApprove = session.can(SCOPES.flagsApprove);

  const approvalsCount = el('span', { class: 'count-badge', hidden: true });
  const navLink = (href: string, text: string, extra?: HTMLElement) =>
    el('a', { href, 'data-nav': href }, text, extra ?? null);
  const signOutButton = el('button', { type: 'button' }, 'Sign out');
  signOutButton.addEventListener('click', signOut);

  const queuePane = el('section', { class: 'queue-pane', 'aria-label': 'Alert queue' });
  const detail = el('main', { id: 'main', class: 'detail-pane', tabindex: '-1' });
  replaceChildren(
    root,
    el('a', { href: '#main', class: 'skip-link' }, 'Skip to the detail pane'),
    el(
      'header',
      { class: 'top-bar' },
      el('h1', {}, 'FlowGuard'),
      el(
        'nav',
        { 'aria-label': 'Console' },
        navLink('#/', 'Queue'),
        canApprove ? navLink('#/approvals', 'Approvals', approvalsCount) : null,
        navLink('#/watchlist', 'Watchlist'),
      ),
      el(
        'p',
        { class: 'who' },
        'Signed in as ',
        el('strong', {}, session.principal.name),
        el('span', { class: 'visually-hidden' }, ` (${session.principal.id})`),
      ),
      signOutButton,
    ),
    el('div', { class: 'workspace' }, queuePane, detail),
  );
  // The skip link's target is focusable, but the fragment must not become a route.
  root.querySelector('.skip-link')?.addEventListener('click', (event) => {
    event.preventDefault();
    detail.focus();
  });

  const queueView = mountQueue(queuePane, queue, marks);
  // Opening the alert already open changes no route: take the focus to its detail all the same.
  queuePane.addEventListener('click', (event) => {
    const link = (event.target as Element).closest('a');
    if (link && link.getAttribute('href') === location.hash)
      detail.querySelector<HTMLElement>('#detail-heading')?.focus();
  });
  // Escape in the detail pane goes back to the alert's row in the queue (or its first row).
  detail.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    queueView.focusCurrent();
  });
  const stopFeed = followAlerts(session.client, {
    onAlert: (alert) => queue.addLive(alert),
    onStatus: (status, reason) => queueView.setFeedStatus(status, reason),
    onReconnected: () => void queue.refresh(),
  });

  let leave: (() => void)[] = [];
  let generation = 0;

  function route(): void {
    for (const cleanup of leave) cleanup();
    leave = [];
    const current = ++generation;
    const ctx: ViewContext = {
      session,
      queue,
      marks,
      navigate: (hash) => {
        location.hash = hash;
      },
      onLeave: (cleanup) => leave.push(cleanup),
      isCurrent: () => current === generation,
    };
    const target = parseRoute(location.hash);
    queueView.select(target.view === 'alert' ? target.id : null);
    for (const link of root.querySelectorAll<HTMLAnchorElement>('nav a')) {
      const active =
        link.dataset.nav === `#/${target.view === 'home' || target.view === 'alert' ? '' : target.view}`;
      if (active) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    switch (target.view) {
      case 'alert':
        void renderAlertDetail(detail, target.id, ctx);
        break;
      case 'wallet':
        void renderWallet(detail, target.id, ctx);
        break;
      case 'approvals':
        void renderApprovals(detail, ctx);
        break;
      case 'watchlist':
        void renderWatchlist(detail, ctx);
        break;
      default:
        replaceChildren(
          detail,
          el(
            'div',
            { class: 'empty-detail' },
            el('h2', {}, 'Select an alert'),
            el(
              'p',
              {},
              'Open an alert from the queue to see its evidence, the wallet’s timeline and the money’s path.',
            ),
            el(
              'p',
              { class: 'hint' },
              'In the queue, the arrow keys move between alerts and Enter opens one.',
            ),
          ),
        );
    }
  }
  window.addEventListener('hashchange', route);
  route();

  const approvalsTimer = canApprove ? setInterval(() => void countApprovals(), APPROVALS_POLL_MS) : undefined;
  if (canApprove) void countApprovals();
  async function countApprovals(): Promise<void> {
    try {
      const { flags } = await session.client.get<{ flags: unknown[] }>('v1/flags', {
        status: 'pending-approval',
      });
      approvalsCount.hidden = flags.length === 0;
      approvalsCount.textContent = ` ${flags.length}`;
      approvalsCount.setAttribute('aria-label', `${flags.length} waiting`);
    } catch {
      approvalsCount.hidden = true;
    }
  }

  return () => {
    window.removeEventListener('hashchange', route);
    for (const cleanup of leave) cleanup();
    clearInterval(approvalsTimer);
    stopFeed();
    queueView.destroy();
  };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
