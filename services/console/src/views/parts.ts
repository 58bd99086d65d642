// Small building blocks the screens share: a titled section, a term/value list, a loading or error
// line, and a link to a wallet.
import { ApiError } from '../api-client.js';
import { el, uniqueId } from '../dom.js';

type Content = Node | string | null | undefined | false;

/** A section titled by its heading (so screen readers list it as a region with that name). */
export function section(title: string, className: string, ...children: (Content | Content[])[]): HTMLElement {
  const id = uniqueId('section');
  return el(
    'section',
    { class: `panel ${className}`, 'aria-labelledby': id },
    el('h3', { id }, title),
    ...children,
  );
}

/** A term/value list; entries without a value are left out. */
export function facts(entries: [string, Content][]): HTMLDListElement {
  return el(
    'dl',
    { class: 'facts' },
    entries
      .filter(([, value]) => value !== null && value !== undefined && value !== false && value !== '')
      .flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
  );
}

export function loadingLine(what: string): HTMLElement {
  return el('p', { class: 'loading', role: 'status' }, `Loading ${what}…`);
}

export function errorLine(what: string, error: unknown): HTMLElement {
  return el('p', { class: 'form-error', role: 'alert' }, `Could not load ${what}: ${reasonOf(error)}`);
}

export function reasonOf(error: unknown): string {
  if (error instanceof ApiError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

export function walletLink(walletId: string): HTMLAnchorElement {
  return el('a', { href: `#/wallets/${encodeURIComponent(walletId)}`, class: 'wallet-id' }, walletId);
}

export function alertLink(alertId: string, text: string): HTMLAnchorElement {
  return el('a', { href: `#/alerts/${encodeURIComponent(alertId)}` }, text);
}

/** A link out to a source the watchlist cites; only http(s) addresses become links. */
export function sourceLink(url: string | undefined, text: string): HTMLElement {
  if (!url || !/^https?:\/\//i.test(url)) return el('span', {}, text);
  return el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, text);
}
