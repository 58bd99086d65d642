// The watchlist: list a wallet seen in a public fundraising post (with the link), see every wallet
// listed now with its sources and the alerts that cited it, and take a wallet off with a reason.
import type { WatchlistEntry } from '../../../../schemas/watchlist.js';
import { segment } from '../api-client.js';
import { el, replaceChildren, uniqueId } from '../dom.js';
import { localTime } from '../format.js';
import { SCOPES } from '../session.js';
import { alertLink, errorLine, loadingLine, reasonOf, section, sourceLink, walletLink } from './parts.js';
import { reasonPrompt } from './reason-prompt.js';
import type { ViewContext } from './view-context.js';

export async function renderWatchlist(container: HTMLElement, ctx: ViewContext): Promise<void> {
  const entries = el('div', {}, loadingLine('the watchlist'));
  replaceChildren(
    container,
    el(
      'article',
      { class: 'watchlist', 'aria-labelledby': 'detail-heading' },
      el(
        'header',
        { class: 'detail-header' },
        el('h2', { id: 'detail-heading', tabindex: '-1' }, 'Watchlist'),
      ),
      ctx.session.can(SCOPES.watchlistWrite) ? addForm(ctx, () => void load()) : null,
      section('Listed now', 'watchlist-entries', entries),
    ),
  );
  container.querySelector<HTMLElement>('#detail-heading')?.focus();
  await load();

  async function load(): Promise<void> {
    try {
      const list = await ctx.session.client.get<{ entries: WatchlistEntry[] }>('v1/watchlist');
      if (!ctx.isCurrent()) return;
      replaceChildren(
        entries,
        list.entries.length === 0 ? el('p', {}, 'No wallet is listed.') : table(list.entries),
      );
    } catch (error) {
      if (ctx.isCurrent()) replaceChildren(entries, errorLine('the watchlist', error));
    }
  }

  function table(list: WatchlistEntry[]): HTMLTableElement {
    return el(
      'table',
      { class: 'watchlist-table' },
      el('caption', { class: 'visually-hidden' }, 'Wallets on the watchlist'),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['Wallet', 'Sources', 'Listed', 'Until', 'Hits', ''].map((t) => el('th', { scope: 'col' }, t)),
        ),
      ),
      el(
        'tbody',
        {},
        list.map((entry) =>
          el(
            'tr',
            { 'data-wallet-id': entry.walletId },
            el('th', { scope: 'row' }, walletLink(entry.walletId)),
            el(
              'td',
              {},
              el(
                'ul',
                { class: 'plain-list' },
                entry.sources.map((s) =>
                  el('li', {}, sourceLink(s.url, s.source), s.note ? ` — ${s.note}` : ''),
                ),
              ),
            ),
            el('td', {}, localTime(entry.listedAt)),
            el('td', {}, localTime(entry.expiresAt)),
            el(
              'td',
              {},
              `${entry.hits.count}`,
              entry.hits.lastAlertId
                ? el(
                    'span',
                    {},
                    ' (last: ',
                    alertLink(
                      entry.hits.lastAlertId,
                      entry.hits.lastAlertAt ? localTime(entry.hits.lastAlertAt) : 'alert',
                    ),
                    ')',
                  )
                : '',
            ),
            el(
              'td',
              {},
              ctx.session.can(SCOPES.watchlistWrite)
                ? reasonPrompt({
                    opener: 'Remove…',
                    confirm: 'Remove',
                    label: `Why take ${entry.walletId} off the watchlist?`,
                    act: async (reason) => {
                      await ctx.session.client.delete(`v1/watchlist/${segment(entry.walletId)}`, { reason });
                      void load();
                      return 'Removed.';
                    },
                  })
                : null,
            ),
          ),
        ),
      ),
    );
  }
}

function addForm(ctx: ViewContext, onAdded: () => void): HTMLElement {
  const input = (name: string, type: string, required: boolean) =>
    el('input', { id: uniqueId(name), name, type, required, autocomplete: 'off' });
  const walletId = input('walletId', 'text', true);
  const source = input('source', 'text', true);
  const url = input('url', 'url', false);
  const note = input('note', 'text', false);
  const outcome = el('p', { class: 'outcome', role: 'status' });
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Add to watchlist');
  const row = (label: string, control: HTMLInputElement, hint?: string) =>
    el(
      'div',
      { class: 'field' },
      el('label', { for: control.id }, label),
      control,
      hint ? el('span', { class: 'hint' }, hint) : null,
    );
  const form = el(
    'form',
    { class: 'watchlist-form', novalidate: true, 'aria-label': 'Add a wallet to the watchlist' },
    row('Wallet id', walletId),
    row('Where it was seen', source, 'e.g. “vk.com/club123 post of 2026-11-20”'),
    row('Link to the post', url, 'optional, https://…'),
    row('Note', note, 'optional'),
    submit,
    outcome,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const missing = [walletId, source].find((control) => !control.value.trim());
    if (missing) {
      outcome.textContent = 'Wallet id and where it was seen are required.';
      missing.focus();
      return;
    }
    submit.disabled = true;
    const body = {
      walletId: walletId.value.trim(),
      source: source.value.trim(),
      ...(url.value.trim() ? { url: url.value.trim() } : {}),
      ...(note.value.trim() ? { note: note.value.trim() } : {}),
    };
    ctx.session.client
      .post('v1/watchlist', body)
      .then(() => {
        outcome.textContent = `Listed ${body.walletId}: its next inbound payment raises an alert.`;
        form.reset();
        onAdded();
      })
      .catch((error: unknown) => {
        outcome.textContent = `Not listed: ${reasonOf(error)}`;
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  return section('Add a wallet', 'watchlist-add', form);
}
